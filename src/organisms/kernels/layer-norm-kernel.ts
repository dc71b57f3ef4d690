/**
 * Layer normalisation in wasm SIMD, row by row over dense rows of `cols` floats; the formulas are
 * those of layer-norm.ts. Tails (cols mod 4) are masked in the sums and stored lane by lane, so no
 * write ever leaves its row (y may be x, dx may be dy) or the gamma/beta gradients.
 */
import { F32, I32, op, V128, type WasmFunction } from './wasm-encoder.js';
import { forChunks, FunctionBuilder, horizontal, ROW_LOCALS, rowLoop, rowVector, storeFirstLanes } from './vector-math.js';

/** `layerNormForward(xPtr, yPtr, meanPtr, rstdPtr, gammaPtr, betaPtr, rows, cols, eps)`. */
function layerNormForward(): WasmFunction {
  const f = new FunctionBuilder(
    'layerNormForward',
    [['xPtr', I32], ['yPtr', I32], ['meanPtr', I32], ['rstdPtr', I32], ['gammaPtr', I32], ['betaPtr', I32], ['rows', I32], ['cols', I32], ['eps', F32]],
    [...ROW_LOCALS, ['mu', F32], ['r', F32], ['mask', V128], ['acc', V128], ['muV', V128], ['rV', V128], ['v', V128]],
  );
  const centred = (chunk: string): number[][] => [...rowVector(f, 'xPtr', chunk), op.v128Load(), f.get('muV'), op.f32x4Sub()];
  const normalised = (chunk: string): number[][] => [
    ...centred(chunk), f.get('rV'), op.f32x4Mul(), ...rowVector(f, 'gammaPtr', chunk, true), op.v128Load(), op.f32x4Mul(),
    ...rowVector(f, 'betaPtr', chunk, true), op.v128Load(), op.f32x4Add(),
  ];
  rowLoop(f, () => {
    // mean
    f.emit(op.v128Zero(), f.set('acc'));
    forChunks(f, 'c', 'chunks', () => f.emit(f.get('acc'), ...rowVector(f, 'xPtr', 'c'), op.v128Load(), op.f32x4Add(), f.set('acc')));
    f.emit(f.get('rem'), op.if(), f.get('acc'), ...rowVector(f, 'xPtr', 'chunks'), op.v128Load(), f.get('mask'), op.v128And(), op.f32x4Add(), f.set('acc'), op.end());
    horizontal(f, 'acc', op.f32x4Add);
    f.emit(f.get('cols'), op.f32ConvertI32U(), op.f32Div(), f.tee('mu'), op.f32x4Splat(), f.set('muV'));
    // biased variance, then rstd = 1/√(var + eps)
    f.emit(op.v128Zero(), f.set('acc'));
    forChunks(f, 'c', 'chunks', () => f.emit(f.get('acc'), ...centred('c'), f.tee('v'), f.get('v'), op.f32x4Mul(), op.f32x4Add(), f.set('acc')));
    f.emit(f.get('rem'), op.if(), f.get('acc'), ...centred('chunks'), f.get('mask'), op.v128And(), f.tee('v'), f.get('v'), op.f32x4Mul(), op.f32x4Add(), f.set('acc'), op.end());
    f.emit(op.f32Const(1));
    horizontal(f, 'acc', op.f32x4Add);
    f.emit(f.get('cols'), op.f32ConvertI32U(), op.f32Div(), f.get('eps'), op.f32Add(), op.f32Sqrt(), op.f32Div(), f.tee('r'), op.f32x4Splat(), f.set('rV'));
    f.emit(f.get('meanPtr'), f.get('i'), op.i32Const(2), op.i32Shl(), op.i32Add(), f.get('mu'), op.f32Store());
    f.emit(f.get('rstdPtr'), f.get('i'), op.i32Const(2), op.i32Shl(), op.i32Add(), f.get('r'), op.f32Store());
    forChunks(f, 'c', 'chunks', () => f.emit(...rowVector(f, 'yPtr', 'c'), ...normalised('c'), op.v128Store()));
    f.emit(f.get('rem'), op.if(), ...normalised('chunks'), f.set('v'));
    storeFirstLanes(f, rowVector(f, 'yPtr', 'chunks'), 'v', 'rem');
    f.emit(op.end());
  });
  return f.build();
}

/**
 * `layerNormBackward(dxPtr, dgammaPtr, dbetaPtr, dyPtr, xPtr, gammaPtr, meanPtr, rstdPtr, rows, cols)`;
 * with `accumulate` (`layerNormBackwardAcc`) dx is added to, as a residual stream's gradient is.
 */
function layerNormBackward(accumulate: boolean): WasmFunction {
  const f = new FunctionBuilder(
    accumulate ? 'layerNormBackwardAcc' : 'layerNormBackward',
    [['dxPtr', I32], ['dgammaPtr', I32], ['dbetaPtr', I32], ['dyPtr', I32], ['xPtr', I32], ['gammaPtr', I32], ['meanPtr', I32], ['rstdPtr', I32], ['rows', I32], ['cols', I32]],
    [...ROW_LOCALS, ['mask', V128], ['muV', V128], ['rV', V128], ['g', V128], ['xh', V128], ['gh', V128], ['sumG', V128], ['sumGX', V128], ['v', V128]],
  );
  const loadScalar = (ptr: string): number[][] => [f.get(ptr), f.get('i'), op.i32Const(2), op.i32Shl(), op.i32Add(), op.f32Load(), op.f32x4Splat()];
  /** g = dy, x̂, ĝ = g·gamma for the vector at `chunk` (masked to the row when `masked`). */
  const load = (chunk: string, masked: boolean): void => {
    const m = masked ? [f.get('mask'), op.v128And()] : [];
    f.emit(...rowVector(f, 'dyPtr', chunk), op.v128Load(), ...m, f.set('g'));
    f.emit(...rowVector(f, 'xPtr', chunk), op.v128Load(), f.get('muV'), op.f32x4Sub(), f.get('rV'), op.f32x4Mul(), ...m, f.set('xh'));
    f.emit(f.get('g'), ...rowVector(f, 'gammaPtr', chunk, true), op.v128Load(), op.f32x4Mul(), f.set('gh'));
  };
  const sums = (): void => {
    f.emit(f.get('sumG'), f.get('gh'), op.f32x4Add(), f.set('sumG'));
    f.emit(f.get('sumGX'), f.get('gh'), f.get('xh'), op.f32x4Mul(), op.f32x4Add(), f.set('sumGX'));
  };
  /** dgamma += g·x̂ and dbeta += g at `chunk`: whole vectors, or the first rem lanes. */
  const paramGrads = (chunk: string, whole: boolean): void => {
    for (const [ptr, term] of [['dgammaPtr', [f.get('g'), f.get('xh'), op.f32x4Mul()]], ['dbetaPtr', [f.get('g')]]] as const) {
      if (whole) f.emit(...rowVector(f, ptr, chunk, true), ...rowVector(f, ptr, chunk, true), op.v128Load(), ...term, op.f32x4Add(), op.v128Store());
      else {
        f.emit(...rowVector(f, ptr, chunk, true), op.v128Load(), ...term, op.f32x4Add(), f.set('v'));
        storeFirstLanes(f, rowVector(f, ptr, chunk, true), 'v', 'rem');
      }
    }
  };
  /** rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)); sumG and sumGX hold the means, splatted. */
  const dx = (): number[][] => [f.get('gh'), f.get('sumG'), op.f32x4Sub(), f.get('xh'), f.get('sumGX'), op.f32x4Mul(), op.f32x4Sub(), f.get('rV'), op.f32x4Mul()];
  const mean = (v: string): void => {
    horizontal(f, v, op.f32x4Add);
    f.emit(f.get('cols'), op.f32ConvertI32U(), op.f32Div(), op.f32x4Splat(), f.set(v));
  };
  rowLoop(f, () => {
    f.emit(...loadScalar('meanPtr'), f.set('muV'), ...loadScalar('rstdPtr'), f.set('rV'));
    f.emit(op.v128Zero(), f.set('sumG'), op.v128Zero(), f.set('sumGX'));
    forChunks(f, 'c', 'chunks', () => {
      load('c', false);
      sums();
      paramGrads('c', true);
    });
    f.emit(f.get('rem'), op.if());
    load('chunks', true);
    sums();
    paramGrads('chunks', false);
    f.emit(op.end());
    mean('sumG');
    mean('sumGX');
    const previous = (chunk: string): number[][] => (accumulate ? [...rowVector(f, 'dxPtr', chunk), op.v128Load(), op.f32x4Add()] : []);
    forChunks(f, 'c', 'chunks', () => {
      load('c', false);
      f.emit(...rowVector(f, 'dxPtr', 'c'), ...dx(), ...previous('c'), op.v128Store());
    });
    f.emit(f.get('rem'), op.if());
    load('chunks', true);
    f.emit(...dx(), ...previous('chunks'), f.set('v'));
    storeFirstLanes(f, rowVector(f, 'dxPtr', 'chunks'), 'v', 'rem');
    f.emit(op.end());
  });
  return f.build();
}

export function layerNormFunctions(): WasmFunction[] {
  return [layerNormForward(), layerNormBackward(false), layerNormBackward(true)];
}

export type LayerNormForwardExport = (xPtr: number, yPtr: number, meanPtr: number, rstdPtr: number, gammaPtr: number, betaPtr: number, rows: number, cols: number, eps: number) => void;
export type LayerNormBackwardExport = (
  dxPtr: number, dgammaPtr: number, dbetaPtr: number, dyPtr: number, xPtr: number, gammaPtr: number, meanPtr: number, rstdPtr: number, rows: number, cols: number,
) => void;
