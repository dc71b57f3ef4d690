/**
 * A product tile with ten accumulators for C (=|+=) op(A)·B, where op(A) comes packed (packTallA,
 * used by gemm-packed.ts): per tile of 5 rows, the 5 values of each step of the shared dimension
 * side by side, the tile's steps one after another.
 *
 * Why ten: a multiply-add waits for the previous one on the same accumulator, so each chain runs
 * at one per FMA latency; the 2×16 wide tile of gemm-kernel.ts has eight chains and runs at what
 * a register-only loop of eight chains reaches (measured per CPU-second: 8 / 10 / 12 / 14 chains
 * give 60 / 74 / 89 / 104 GFLOP/s). More chains need more registers, and V8 (which allocates 15 of
 * x64's 16 vector registers) schedules every load of a loop step before its multiply-adds, so a
 * step's loaded values and all accumulators are live at once: rows·vecs + loads must fit 15.
 * Here 5 rows × 8 columns: 10 accumulators + 2 pieces of B + one vector of A (rows 0-3, each
 * broadcast by a shuffle, which is not a load) + one broadcast load (row 4) + a shuffle's result.
 * Measured on data in the L1 cache: 60 GFLOP/s against 53 for the 2×16 tile; 3×12, 4×8 and 9×4
 * tiles reached 53-55, 6×8 and 12×4 spill accumulators (23-35).
 *
 * Each C entry is summed over the shared dimension in order, one multiply-add at a time, exactly
 * as in gemm-kernel.ts, so both give bit-identical results.
 */
import { I32, op, V128, type WasmFunction } from './wasm-encoder.js';
import { maddInto } from './gemm-kernel.js';
import { FunctionBuilder } from './vector-math.js';

/** Rows and 4-lane column vectors of C per tile. */
export const TALL_TILE = { rows: 5, vecs: 2 } as const;

/**
 * `gemmTall[Acc](aPtr, aTile, aStep, bPtr, bStrip, bRow, cPtr, cRow, m, n, k)`: byte addresses and
 * strides. Row r of row tile t at step p: A at aPtr + t·aTile + p·aStep + 4r; B(p, column c of strip
 * s) at bPtr + s·bStrip + p·bRow + 4c; C(i, j) at cPtr + i·cRow + 4j. m a positive multiple of the
 * tile's rows, n of its columns, k ≥ 1. Row tiles outer, column strips inner: the tile's block of A
 * stays in the L1 cache while B passes.
 */
function gemmTallFunction(accumulate: boolean, fma: boolean): WasmFunction {
  const { rows, vecs } = TALL_TILE;
  const fromVector = rows - (rows % 4); // rows whose A value is a lane of a loaded vector
  const accNames = Array.from({ length: rows * vecs }, (_, t) => `acc${t}`);
  const aVecs = Array.from({ length: fromVector / 4 }, (_, t) => `av${t}`);
  const bVecs = Array.from({ length: vecs }, (_, t) => `bv${t}`);
  const f = new FunctionBuilder(
    accumulate ? 'gemmTallAcc' : 'gemmTall',
    [['aPtr', I32], ['aTile', I32], ['aStep', I32], ['bPtr', I32], ['bStrip', I32], ['bRow', I32], ['cPtr', I32], ['cRow', I32], ['m', I32], ['n', I32], ['k', I32]],
    [
      ['i', I32], ['j', I32], ['p', I32], ['ap', I32], ['bp', I32], ['cp', I32], ['aTileStart', I32], ['bStripStart', I32], ['s', V128],
      ...[...aVecs, ...bVecs, ...accNames].map((name): [string, number] => [name, V128]),
    ],
  );
  const acc = (r: number, v: number): number => f.at(accNames[r * vecs + v] as string);
  const storeOrLoadRows = (each: (r: number, v: number) => number[][]): void => {
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < vecs; v++) f.emit(...each(r, v));
      if (r + 1 < rows) f.emit(f.get('cp'), f.get('cRow'), op.i32Add(), f.set('cp'));
    }
  };
  f.emit(op.i32Const(0), f.set('i'), f.get('aPtr'), f.set('aTileStart'));
  f.emit(op.loop()); // over row tiles
  f.emit(op.i32Const(0), f.set('j'), f.get('bPtr'), f.set('bStripStart'));
  f.emit(op.loop()); // over column strips
  const tileStart = (): number[][] => [f.get('cPtr'), f.get('i'), f.get('cRow'), op.i32Mul(), op.i32Add(), f.get('j'), op.i32Const(2), op.i32Shl(), op.i32Add(), f.set('cp')];
  f.emit(...tileStart());
  if (accumulate) {
    storeOrLoadRows((r, v) => [f.get('cp'), op.v128Load(16 * v), op.localSet(acc(r, v))]);
    f.emit(...tileStart());
  } else {
    for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) f.emit(op.v128Zero(), op.localSet(acc(r, v)));
  }
  f.emit(f.get('aTileStart'), f.set('ap'), f.get('bStripStart'), f.set('bp'));
  f.emit(f.get('k'), f.set('p'));
  f.emit(op.loop()); // over the shared dimension
  for (let v = 0; v < vecs; v++) f.emit(f.get('bp'), op.v128Load(16 * v), f.set(bVecs[v] as string));
  aVecs.forEach((name, t) => f.emit(f.get('ap'), op.v128Load(16 * t), f.set(name)));
  for (let r = 0; r < rows; r++) {
    if (r < fromVector) {
      const source = f.get(aVecs[r >> 2] as string);
      const lane = r & 3;
      f.emit(source, source, op.f32x4Shuffle([lane, lane, lane, lane]), f.set('s'));
    } else {
      f.emit(f.get('ap'), op.f32Load(4 * r), op.f32x4Splat(), f.set('s'));
    }
    for (let v = 0; v < vecs; v++) f.emit(...maddInto(acc(r, v), f.at('s'), f.at(bVecs[v] as string), fma));
  }
  f.emit(f.get('ap'), f.get('aStep'), op.i32Add(), f.set('ap'));
  f.emit(f.get('bp'), f.get('bRow'), op.i32Add(), f.set('bp'));
  f.emit(f.get('p'), op.i32Const(1), op.i32Sub(), f.tee('p'), op.brIf(0));
  f.emit(op.end());
  storeOrLoadRows((r, v) => [f.get('cp'), op.localGet(acc(r, v)), op.v128Store(16 * v)]);
  f.emit(f.get('bStripStart'), f.get('bStrip'), op.i32Add(), f.set('bStripStart'));
  f.emit(f.get('j'), op.i32Const(4 * vecs), op.i32Add(), f.tee('j'), f.get('n'), op.i32LtU(), op.brIf(0));
  f.emit(op.end());
  f.emit(f.get('aTileStart'), f.get('aTile'), op.i32Add(), f.set('aTileStart'));
  f.emit(f.get('i'), op.i32Const(rows), op.i32Add(), f.tee('i'), f.get('m'), op.i32LtU(), op.brIf(0));
  f.emit(op.end());
  return f.build();
}

export type GemmTallExport = (
  aPtr: number, aTile: number, aStep: number, bPtr: number, bStrip: number, bRow: number, cPtr: number, cRow: number, m: number, n: number, k: number,
) => void;

/**
 * `packTallA(dstPtr, srcPtr, rowStride, colStride, tiles, k)`: copies tiles·TALL_TILE.rows rows of
 * op(A) (element (i, p) at srcPtr + i·rowStride + p·colStride, bytes) into the layout gemmTall
 * reads fastest: tile by tile, each a k×rows block with the rows of one step side by side. For A
 * stored m×k this is a transpose; either way the tile's block is then contiguous, so it stays in
 * the L1 cache whatever A's row stride (one of 4 KiB sends all rows to one cache set).
 */
function packTallAFunction(): WasmFunction {
  const { rows } = TALL_TILE;
  const f = new FunctionBuilder(
    'packTallA',
    [['dst', I32], ['src', I32], ['rowStride', I32], ['colStride', I32], ['tiles', I32], ['k', I32]],
    [['p', I32], ['sp', I32], ['tileSrc', I32], ['tileStride', I32]],
  );
  f.emit(f.get('rowStride'), op.i32Const(rows), op.i32Mul(), f.set('tileStride'));
  f.emit(f.get('src'), f.set('tileSrc'));
  f.emit(op.loop()); // over tiles
  f.emit(f.get('tileSrc'), f.set('sp'), f.get('k'), f.set('p'));
  f.emit(op.loop()); // over the shared dimension
  for (let r = 0; r < rows; r++) {
    f.emit(f.get('dst'), f.get('sp'), ...(r === 0 ? [] : [f.get('rowStride'), op.i32Const(r), op.i32Mul(), op.i32Add()]), op.f32Load(), op.f32Store(4 * r));
  }
  f.emit(f.get('dst'), op.i32Const(4 * rows), op.i32Add(), f.set('dst'));
  f.emit(f.get('sp'), f.get('colStride'), op.i32Add(), f.set('sp'));
  f.emit(f.get('p'), op.i32Const(1), op.i32Sub(), f.tee('p'), op.brIf(0));
  f.emit(op.end());
  f.emit(f.get('tileSrc'), f.get('tileStride'), op.i32Add(), f.set('tileSrc'));
  f.emit(f.get('tiles'), op.i32Const(1), op.i32Sub(), f.tee('tiles'), op.brIf(0));
  f.emit(op.end());
  return f.build();
}

export type PackTallAExport = (dst: number, src: number, rowStride: number, colStride: number, tiles: number, k: number) => void;

export function gemmTallFunctions(fma: boolean): WasmFunction[] {
  return [gemmTallFunction(false, fma), gemmTallFunction(true, fma), packTallAFunction()];
}
