/**
 * The exps behind a log-softmax, in float64 (what the host's log-softmax and sampling take): per row
 * of float32 logits, the maximum (four lanes at a time), then e^(x − max) two lanes at a time
 * (vector-math's exp64, about one unit in the last place) and their sum.
 */
import { F32, I32, op, V128, type WasmFunction } from './wasm-encoder.js';
import { exp64, exp64Constants, EXP64_LOCALS, f32x4Const, forChunks, FunctionBuilder, horizontal, rowLoop } from './vector-math.js';

/**
 * `rowExps(xPtr, ePtr, sPtr, rows, cols)`: for each row i of x [rows, cols] (f32), m = max_j x_ij,
 * e_ij = e^(x_ij − m) (f64, at ePtr, rows × cols) and s_i = Σ_j e_ij; stats (f64 at sPtr) get
 * [m, s] per row. The difference x − m is taken in float64 (exact). rows, cols ≥ 1.
 */
export function rowExpsFunction(): WasmFunction {
  const f = new FunctionBuilder(
    'rowExps',
    [['xPtr', I32], ['ePtr', I32], ['sPtr', I32], ['rows', I32], ['cols', I32]],
    [
      ['i', I32], ['chunks', I32], ['rem', I32], ['c', I32], ['row', I32], ['pairs', I32], ['xr', I32], ['er', I32],
      ['max', F32],
      ['mask', V128], ['acc', V128], ['maxV', V128], ['e', V128], ...EXP64_LOCALS,
    ],
  );
  const vecAt = (ptr: string, index: string, shift: number): number[][] => [f.get(ptr), f.get(index), op.i32Const(shift), op.i32Shl(), op.i32Add()];
  /** e = exp64(x[pair] − max) for the two floats of pair `index` of this row. */
  const pairExp = (index: string): void => {
    f.emit(...vecAt('xr', index, 3), op.v128Load64Zero(), op.f64x2PromoteLowF32x4(), f.get('maxV'), op.f64x2Sub());
    exp64(f);
    f.emit(f.set('e'));
  };
  exp64Constants(f);
  f.emit(f.get('cols'), op.i32Const(1), op.i32ShrU(), f.set('pairs'));
  // rowLoop: row = i·cols·4 bytes, chunks / rem / mask set for cols.
  rowLoop(f, () => {
    f.emit(f.get('xPtr'), f.get('row'), op.i32Add(), f.set('xr'));
    f.emit(f.get('ePtr'), f.get('row'), op.i32Const(1), op.i32Shl(), op.i32Add(), f.set('er'));
    // The maximum, four lanes at a time (the tail's missing lanes as −∞).
    f.emit(f32x4Const(-Infinity), f.set('acc'));
    forChunks(f, 'c', 'chunks', () => f.emit(f.get('acc'), ...vecAt('xr', 'c', 4), op.v128Load(), op.f32x4Max(), f.set('acc')));
    f.emit(f.get('rem'), op.if());
    f.emit(f.get('acc'), ...vecAt('xr', 'chunks', 4), op.v128Load(), f32x4Const(-Infinity), f.get('mask'), op.v128Bitselect(), op.f32x4Max(), f.set('acc'));
    f.emit(op.end());
    horizontal(f, 'acc', op.f32x4Max);
    f.emit(f.tee('max'), op.f64PromoteF32(), op.f64x2Splat(), f.set('maxV'));
    // e^(x − max), two at a time, stored and summed in two lanes.
    f.emit(op.v128Zero(), f.set('acc'));
    forChunks(f, 'c', 'pairs', () => {
      pairExp('c');
      f.emit(...vecAt('er', 'c', 4), f.get('e'), op.v128Store(), f.get('acc'), f.get('e'), op.f64x2Add(), f.set('acc'));
    });
    // An odd last column: its pair reads one float past the row (inside the arena's slack); only lane 0 counts.
    f.emit(f.get('cols'), op.i32Const(1), op.i32And(), op.if());
    pairExp('pairs');
    f.emit(...vecAt('er', 'pairs', 4), f.get('e'), op.f64x2ExtractLane(0), op.f64Store());
    f.emit(f.get('acc'), f.get('e'), op.v128ConstI32([-1, -1, 0, 0]), op.v128And(), op.f64x2Add(), f.set('acc'));
    f.emit(op.end());
    // stats[i] = [max, sum]
    f.emit(f.get('sPtr'), f.get('i'), op.i32Const(4), op.i32Shl(), op.i32Add(), f.get('max'), op.f64PromoteF32(), op.f64Store());
    f.emit(f.get('sPtr'), f.get('i'), op.i32Const(4), op.i32Shl(), op.i32Add(), f.get('acc'), op.f64x2ExtractLane(0), f.get('acc'), op.f64x2ExtractLane(1), op.f64Add(), op.f64Store(8));
  });
  return f.build();
}

export type RowExpsExport = (xPtr: number, ePtr: number, sPtr: number, rows: number, cols: number) => void;
