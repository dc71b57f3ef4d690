/**
 * wasm SIMD for one Adam step over float32 parameters, computed in float64 lanes exactly as the
 * JavaScript loop it replaces (each value widened, the same operations in the same order, each
 * stored value rounded once to float32), so the two agree bit for bit: V8 fuses no float64
 * multiply-add, and wasm's f64 arithmetic, square root and f32 rounding are IEEE's, as
 * JavaScript's. Four parameters per pass, as two pairs of float64 lanes.
 */
import { F64, I32, op, V128, type WasmFunction } from './wasm-encoder.js';
import { FunctionBuilder } from './vector-math.js';

/**
 * `adamStep(pPtr, gPtr, mPtr, vPtr, quads, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize,
 * sqrtCorrection2, eps)`: for 4·quads floats from each pointer,
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + ((1−β2)·g)·g,  p ← p − (stepSize·m) / (√v / sqrtCorrection2 + eps)
 * with m and v unrounded in the update of p (float64 throughout, rounded to float32 when stored).
 */
function adamStepFunction(): WasmFunction {
  const scalars = ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'stepSize', 'sqrtCorrection2', 'eps'];
  const f = new FunctionBuilder(
    'adamStep',
    [['pPtr', I32], ['gPtr', I32], ['mPtr', I32], ['vPtr', I32], ['quads', I32], ...scalars.map((s): [string, number] => [s, F64])],
    [
      ...scalars.map((s): [string, number] => [`${s}X2`, V128]),
      ...['pv', 'gv', 'mv', 'vv', 'g', 'mi', 'vi', 'newP', 'mLo', 'vLo', 'pLo'].map((s): [string, number] => [s, V128]),
    ],
  );
  for (const s of scalars) f.emit(f.get(s), op.f64x2Splat(), f.set(`${s}X2`));
  const half = (v: string, high: boolean): number[][] => [f.get(v), ...(high ? [f.get(v), op.f32x4Shuffle([2, 3, 2, 3])] : []), op.f64x2PromoteLowF32x4()];
  f.emit(op.loop());
  for (const [name, ptr] of [['pv', 'pPtr'], ['gv', 'gPtr'], ['mv', 'mPtr'], ['vv', 'vPtr']] as const) f.emit(f.get(ptr), op.v128Load(), f.set(name));
  for (const high of [false, true]) {
    f.emit(...half('gv', high), f.set('g'));
    f.emit(f.get('beta1X2'), ...half('mv', high), op.f64x2Mul(), f.get('oneMinusBeta1X2'), f.get('g'), op.f64x2Mul(), op.f64x2Add(), f.set('mi'));
    f.emit(f.get('beta2X2'), ...half('vv', high), op.f64x2Mul(), f.get('oneMinusBeta2X2'), f.get('g'), op.f64x2Mul(), f.get('g'), op.f64x2Mul(), op.f64x2Add(), f.set('vi'));
    f.emit(...half('pv', high), f.get('stepSizeX2'), f.get('mi'), op.f64x2Mul());
    f.emit(f.get('vi'), op.f64x2Sqrt(), f.get('sqrtCorrection2X2'), op.f64x2Div(), f.get('epsX2'), op.f64x2Add(), op.f64x2Div(), op.f64x2Sub(), f.set('newP'));
    if (!high) {
      f.emit(f.get('mi'), op.f32x4DemoteF64x2Zero(), f.set('mLo'), f.get('vi'), op.f32x4DemoteF64x2Zero(), f.set('vLo'), f.get('newP'), op.f32x4DemoteF64x2Zero(), f.set('pLo'));
    } else {
      // Low pair in lanes 0-1 of the first operand, high pair in lanes 0-1 of the second.
      for (const [lo, value, ptr] of [['mLo', 'mi', 'mPtr'], ['vLo', 'vi', 'vPtr'], ['pLo', 'newP', 'pPtr']] as const) {
        f.emit(f.get(ptr), f.get(lo), f.get(value), op.f32x4DemoteF64x2Zero(), op.f32x4Shuffle([0, 1, 4, 5]), op.v128Store());
      }
    }
  }
  for (const ptr of ['pPtr', 'gPtr', 'mPtr', 'vPtr']) f.emit(f.get(ptr), op.i32Const(16), op.i32Add(), f.set(ptr));
  f.emit(f.get('quads'), op.i32Const(1), op.i32Sub(), f.tee('quads'), op.brIf(0), op.end());
  return f.build();
}

export type AdamStepExport = (
  pPtr: number, gPtr: number, mPtr: number, vPtr: number, quads: number,
  beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, stepSize: number, sqrtCorrection2: number, eps: number,
) => void;

export function adamFunctions(): WasmFunction[] {
  return [adamStepFunction()];
}
