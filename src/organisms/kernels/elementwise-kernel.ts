/**
 * wasm SIMD versions of the elementwise kernels: GELU forward and backward (four lanes at a time;
 * the caller finishes n mod 4 entries) and the row softmax forward and backward (whole rows,
 * masked tails).
 *
 * GELU uses s = σ(2u) = 1 − w with w = 1/(1 + e^{2u}): gelu(x) = x·s = x − x·w, and
 * gelu′(x) = s + 2c·x·s·w·(1 + 3a·x²), which stay exact at both ends (e^{2u} = ∞ gives w = 0).
 */
import { F32, I32, op, V128, type WasmFunction } from './wasm-encoder.js';
import { exp, EXP_LOCALS, f32x4Const, forChunks, FunctionBuilder, horizontal, splitVectors, storeFirstLanes } from './vector-math.js';

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

/** Leaves w = 1/(1 + e^{2u}) with u = c(x + a·x³) on the stack, for the x in local `x`. */
function geluW(f: FunctionBuilder, fma: boolean): void {
  // 2u = x·(2c + 2ca·x²)
  f.emit(f.get('x'), f.get('x'), f.get('x'), op.f32x4Mul(), f32x4Const(2 * C * A), op.f32x4Mul(), f32x4Const(2 * C), op.f32x4Add(), op.f32x4Mul());
  exp(f, fma);
  f.emit(f.set('w'), f32x4Const(1), f32x4Const(1), f.get('w'), op.f32x4Add(), op.f32x4Div());
}

/** `geluForward(xPtr, yPtr, vectors)`: y = gelu(x) for 4·vectors floats (vectors ≥ 1). */
function geluForward(fma: boolean): WasmFunction {
  const f = new FunctionBuilder('geluForward', [['xPtr', I32], ['yPtr', I32], ['count', I32]], [['x', V128], ['w', V128], ...EXP_LOCALS]);
  f.emit(op.loop());
  f.emit(f.get('xPtr'), op.v128Load(), f.set('x'));
  f.emit(f.get('yPtr'));
  geluW(f, fma);
  f.emit(f.get('x'), op.f32x4Mul(), f.set('w'), f.get('x'), f.get('w'), op.f32x4Sub(), op.v128Store());
  f.emit(f.get('xPtr'), op.i32Const(16), op.i32Add(), f.set('xPtr'), f.get('yPtr'), op.i32Const(16), op.i32Add(), f.set('yPtr'));
  f.emit(f.get('count'), op.i32Const(1), op.i32Sub(), f.tee('count'), op.brIf(0), op.end());
  return f.build();
}

/** `geluBackward(dxPtr, dyPtr, xPtr, vectors)`: dx = dy·gelu′(x) for 4·vectors floats (vectors ≥ 1). */
function geluBackward(fma: boolean): WasmFunction {
  const f = new FunctionBuilder('geluBackward', [['dxPtr', I32], ['dyPtr', I32], ['xPtr', I32], ['count', I32]], [['x', V128], ['w', V128], ['s', V128], ...EXP_LOCALS]);
  f.emit(op.loop());
  f.emit(f.get('xPtr'), op.v128Load(), f.set('x'));
  geluW(f, fma);
  f.emit(f.set('w'), f32x4Const(1), f.get('w'), op.f32x4Sub(), f.set('s'));
  f.emit(f.get('dxPtr'), f.get('dyPtr'), op.v128Load());
  // s + 2c·x·s·w·(1 + 3a·x²)
  f.emit(f.get('s'));
  f.emit(f.get('x'), f.get('s'), op.f32x4Mul(), f.get('w'), op.f32x4Mul());
  f.emit(f.get('x'), f.get('x'), op.f32x4Mul(), f32x4Const(3 * A * 2 * C), op.f32x4Mul(), f32x4Const(2 * C), op.f32x4Add(), op.f32x4Mul());
  f.emit(op.f32x4Add(), op.f32x4Mul(), op.v128Store());
  for (const p of ['dxPtr', 'dyPtr', 'xPtr']) f.emit(f.get(p), op.i32Const(16), op.i32Add(), f.set(p));
  f.emit(f.get('count'), op.i32Const(1), op.i32Sub(), f.tee('count'), op.brIf(0), op.end());
  return f.build();
}

/** Emits a loop storing 0.0 at row[j] for j in [from, to) (floats; `row` a byte address). */
function zeroRange(f: FunctionBuilder, row: string, from: string, to: string): void {
  f.emit(f.get(from), f.get(to), op.i32LtS(), op.if(), op.loop());
  f.emit(f.get(row), f.get(from), op.i32Const(2), op.i32Shl(), op.i32Add(), op.f32Const(0), op.f32Store());
  f.emit(f.get(from), op.i32Const(1), op.i32Add(), f.tee(from), f.get(to), op.i32LtS(), op.brIf(0), op.end(), op.end());
}

/**
 * `softmaxRows(xPtr, yPtr, rows, cols, ldBytes, shift, scale)`: y = softmax(scale·x) over the
 * first limit = clamp(i + shift + 1, 0, cols) entries of row i, 0 after them (shift ≥ cols: no
 * mask; cols − rows: causal). A row whose kept entries are all −∞ becomes 0. scale > 0.
 */
function softmaxRows(fma: boolean): WasmFunction {
  const f = new FunctionBuilder(
    'softmaxRows',
    [['xPtr', I32], ['yPtr', I32], ['rows', I32], ['cols', I32], ['ld', I32], ['shift', I32], ['scale', F32]],
    [
      ['i', I32], ['limit', I32], ['chunks', I32], ['rem', I32], ['xr', I32], ['yr', I32], ['c', I32], ['j', I32], ['zeroFrom', I32],
      ['max', F32], ['inv', F32],
      ['mask', V128], ['acc', V128], ['e', V128], ['scaleV', V128], ['maxV', V128], ...EXP_LOCALS,
    ],
  );
  const vecAt = (ptr: string, index: string): number[][] => [f.get(ptr), f.get(index), op.i32Const(4), op.i32Shl(), op.i32Add()];
  f.emit(f.get('rows'), op.i32Eqz(), op.if(), op.return(), op.end());
  f.emit(f.get('scale'), op.f32x4Splat(), f.set('scaleV'));
  f.emit(op.i32Const(0), f.set('i'), op.loop());
  {
    // limit = clamp(i + shift + 1, 0, cols)
    f.emit(f.get('i'), f.get('shift'), op.i32Add(), op.i32Const(1), op.i32Add(), f.set('limit'));
    f.emit(f.get('limit'), op.i32Const(0), f.get('limit'), op.i32Const(0), op.i32GtS(), op.select(), f.set('limit'));
    f.emit(f.get('limit'), f.get('cols'), f.get('limit'), f.get('cols'), op.i32LtS(), op.select(), f.set('limit'));
    splitVectors(f, 'limit');
    f.emit(f.get('xPtr'), f.get('i'), f.get('ld'), op.i32Mul(), op.i32Add(), f.set('xr'));
    f.emit(f.get('yPtr'), f.get('i'), f.get('ld'), op.i32Mul(), op.i32Add(), f.set('yr'));
    // Pass 1: the maximum of the kept entries.
    f.emit(f32x4Const(-Infinity), f.set('acc'));
    forChunks(f, 'c', 'chunks', () => f.emit(f.get('acc'), ...vecAt('xr', 'c'), op.v128Load(), op.f32x4Max(), f.set('acc')));
    f.emit(f.get('rem'), op.if());
    f.emit(f.get('acc'), ...vecAt('xr', 'chunks'), op.v128Load(), f32x4Const(-Infinity), f.get('mask'), op.v128Bitselect(), op.f32x4Max(), f.set('acc'));
    f.emit(op.end());
    horizontal(f, 'acc', op.f32x4Max);
    f.emit(f.tee('max'), op.f32Const(-Infinity), op.f32Eq(), op.if());
    {
      f.emit(op.i32Const(0), f.set('zeroFrom'));
    }
    f.emit(op.else());
    {
      f.emit(f.get('max'), f.get('scale'), op.f32Mul(), op.f32x4Splat(), f.set('maxV'));
      // Pass 2: e = exp(scale·x − scale·max) into y, and their sum.
      const expAt = (): number[][] => [f.get('scaleV'), op.f32x4Mul(), f.get('maxV'), op.f32x4Sub()];
      f.emit(op.v128Zero(), f.set('acc'));
      forChunks(f, 'c', 'chunks', () => {
        f.emit(...vecAt('yr', 'c'), ...vecAt('xr', 'c'), op.v128Load(), ...expAt());
        exp(f, fma);
        f.emit(f.tee('e'), op.v128Store(), f.get('acc'), f.get('e'), op.f32x4Add(), f.set('acc'));
      });
      f.emit(f.get('rem'), op.if());
      {
        f.emit(...vecAt('xr', 'chunks'), op.v128Load(), ...expAt());
        exp(f, fma);
        f.emit(f.get('mask'), op.v128And(), f.tee('e'), f.get('acc'), op.f32x4Add(), f.set('acc'));
        storeFirstLanes(f, vecAt('yr', 'chunks'), 'e', 'rem');
      }
      f.emit(op.end());
      // Pass 3: y ·= 1/sum over the kept entries.
      f.emit(op.f32Const(1));
      horizontal(f, 'acc', op.f32x4Add);
      f.emit(op.f32Div(), f.tee('inv'), op.f32x4Splat(), f.set('e'));
      forChunks(f, 'c', 'chunks', () => f.emit(...vecAt('yr', 'c'), ...vecAt('yr', 'c'), op.v128Load(), f.get('e'), op.f32x4Mul(), op.v128Store()));
      f.emit(f.get('chunks'), op.i32Const(2), op.i32Shl(), f.set('j'));
      f.emit(f.get('j'), f.get('limit'), op.i32LtS(), op.if(), op.loop());
      f.emit(f.get('yr'), f.get('j'), op.i32Const(2), op.i32Shl(), op.i32Add(), f.tee('c'), f.get('c'), op.f32Load(), f.get('inv'), op.f32Mul(), op.f32Store());
      f.emit(f.get('j'), op.i32Const(1), op.i32Add(), f.tee('j'), f.get('limit'), op.i32LtS(), op.brIf(0), op.end(), op.end());
      f.emit(f.get('limit'), f.set('zeroFrom'));
    }
    f.emit(op.end());
    zeroRange(f, 'yr', 'zeroFrom', 'cols');
    f.emit(f.get('i'), op.i32Const(1), op.i32Add(), f.tee('i'), f.get('rows'), op.i32LtU(), op.brIf(0));
  }
  f.emit(op.end());
  return f.build();
}

/**
 * `softmaxRowsBackward(dxPtr, yPtr, dyPtr, rows, cols, ldBytes, scale)`: per row,
 * dx = scale·y ⊙ (dy − Σ y·dy). Tail lanes are stored one by one (dx may be dy).
 */
function softmaxRowsBackward(): WasmFunction {
  const f = new FunctionBuilder(
    'softmaxRowsBackward',
    [['dxPtr', I32], ['yPtr', I32], ['dyPtr', I32], ['rows', I32], ['cols', I32], ['ld', I32], ['scale', F32]],
    [['i', I32], ['chunks', I32], ['rem', I32], ['c', I32], ['row', I32], ['mask', V128], ['acc', V128], ['dot', V128], ['scaleV', V128], ['v', V128]],
  );
  const at = (ptr: string, chunk: string): number[][] => [f.get(ptr), f.get('row'), op.i32Add(), f.get(chunk), op.i32Const(4), op.i32Shl(), op.i32Add()];
  /** scale·y·(dy − dot) for the vector at chunk `chunk` of this row. */
  const value = (chunk: string): number[][] => [
    ...at('yPtr', chunk), op.v128Load(), f.get('scaleV'), op.f32x4Mul(), ...at('dyPtr', chunk), op.v128Load(), f.get('dot'), op.f32x4Sub(), op.f32x4Mul(),
  ];
  f.emit(f.get('rows'), op.i32Eqz(), op.if(), op.return(), op.end());
  f.emit(f.get('scale'), op.f32x4Splat(), f.set('scaleV'));
  splitVectors(f, 'cols');
  f.emit(op.i32Const(0), f.set('i'), op.loop());
  {
    f.emit(f.get('i'), f.get('ld'), op.i32Mul(), f.set('row'));
    f.emit(op.v128Zero(), f.set('acc'));
    forChunks(f, 'c', 'chunks', () => f.emit(f.get('acc'), ...at('yPtr', 'c'), op.v128Load(), ...at('dyPtr', 'c'), op.v128Load(), op.f32x4Mul(), op.f32x4Add(), f.set('acc')));
    f.emit(f.get('rem'), op.if());
    f.emit(f.get('acc'), ...at('yPtr', 'chunks'), op.v128Load(), ...at('dyPtr', 'chunks'), op.v128Load(), op.f32x4Mul(), f.get('mask'), op.v128And(), op.f32x4Add(), f.set('acc'));
    f.emit(op.end());
    horizontal(f, 'acc', op.f32x4Add);
    f.emit(op.f32x4Splat(), f.set('dot'));
    forChunks(f, 'c', 'chunks', () => f.emit(...at('dxPtr', 'c'), ...value('c'), op.v128Store()));
    f.emit(f.get('rem'), op.if(), ...value('chunks'), f.set('v'));
    storeFirstLanes(f, at('dxPtr', 'chunks'), 'v', 'rem');
    f.emit(op.end());
    f.emit(f.get('i'), op.i32Const(1), op.i32Add(), f.tee('i'), f.get('rows'), op.i32LtU(), op.brIf(0));
  }
  f.emit(op.end());
  return f.build();
}

/** With `fma`, the exp polynomial runs on relaxed multiply-adds (relaxed-SIMD builds only). */
export function elementwiseFunctions(fma: boolean): WasmFunction[] {
  return [geluForward(fma), geluBackward(fma), softmaxRows(fma), softmaxRowsBackward()];
}

export type GeluForwardExport = (xPtr: number, yPtr: number, vectors: number) => void;
export type GeluBackwardExport = (dxPtr: number, dyPtr: number, xPtr: number, vectors: number) => void;
export type SoftmaxExport = (xPtr: number, yPtr: number, rows: number, cols: number, ldBytes: number, shift: number, scale: number) => void;
export type SoftmaxBackwardExport = (dxPtr: number, yPtr: number, dyPtr: number, rows: number, cols: number, ldBytes: number, scale: number) => void;
