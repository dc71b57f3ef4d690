/**
 * Layer normalisation over the last axis and its gradient, over views of an arena:
 * y = (x − mean)·rstd·gamma + beta with rstd = 1/√(var + eps) (biased variance, as PyTorch).
 * Both run in wasm SIMD (layer-norm-kernel.ts; README has the measurement against JavaScript).
 */
import type { KernelArena } from './arena.js';
import { checkCount, checkViews } from './views.js';

/** Forward; keeps each row's mean and rstd (rows floats each) for the backward pass. y may be x. */
export function layerNorm(
  arena: KernelArena, y: Float32Array, mean: Float32Array, rstd: Float32Array,
  x: Float32Array, gamma: Float32Array, beta: Float32Array, rows: number, cols: number, eps = 1e-5,
): void {
  checkCount('layerNorm', 'rows', rows);
  checkCount('layerNorm', 'cols', cols);
  const size = rows * cols;
  checkViews(arena, 'layerNorm', [['y', y, size], ['mean', mean, rows], ['rstd', rstd, rows], ['x', x, size], ['gamma', gamma, cols], ['beta', beta, cols]]);
  if (rows === 0 || cols === 0) return;
  arena.elementwise.layerNormForward(x.byteOffset, y.byteOffset, mean.byteOffset, rstd.byteOffset, gamma.byteOffset, beta.byteOffset, rows, cols, eps);
}

/**
 * Backward: dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = dy·gamma, x̂ the normalised input;
 * dgamma += Σ dy·x̂ and dbeta += Σ dy over rows (added to, so micro-batches accumulate; zero them
 * first for a fresh gradient). dx may be dy.
 */
export function layerNormBackward(
  arena: KernelArena, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, dy: Float32Array,
  x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array, rows: number, cols: number,
  options: { accumulate?: boolean } = {},
): void {
  checkCount('layerNormBackward', 'rows', rows);
  checkCount('layerNormBackward', 'cols', cols);
  const size = rows * cols;
  checkViews(arena, 'layerNormBackward', [
    ['dx', dx, size], ['dgamma', dgamma, cols], ['dbeta', dbeta, cols], ['dy', dy, size],
    ['x', x, size], ['gamma', gamma, cols], ['mean', mean, rows], ['rstd', rstd, rows],
  ]);
  if (rows === 0 || cols === 0) return;
  const kernel = options.accumulate === true ? arena.elementwise.layerNormBackwardAcc : arena.elementwise.layerNormBackward;
  kernel(
    dx.byteOffset, dgamma.byteOffset, dbeta.byteOffset, dy.byteOffset, x.byteOffset, gamma.byteOffset, mean.byteOffset, rstd.byteOffset, rows, cols,
  );
}
