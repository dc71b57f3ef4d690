/**
 * Layer normalisation over the last axis and its gradient, over views of an arena:
 * y = (x − mean)·rstd·gamma + beta with rstd = 1/√(var + eps) (biased variance, as PyTorch).
 */
import { checkCount, checkViews, type ViewOwner } from './views.js';

/** Forward; keeps each row's mean and rstd (rows floats each) for the backward pass. y may be x. */
export function layerNorm(
  arena: ViewOwner, y: Float32Array, mean: Float32Array, rstd: Float32Array,
  x: Float32Array, gamma: Float32Array, beta: Float32Array, rows: number, cols: number, eps = 1e-5,
): void {
  checkCount('layerNorm', 'rows', rows);
  checkCount('layerNorm', 'cols', cols);
  const size = rows * cols;
  checkViews(arena, 'layerNorm', [['y', y, size], ['mean', mean, rows], ['rstd', rstd, rows], ['x', x, size], ['gamma', gamma, cols], ['beta', beta, cols]]);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += x[o + j]!;
    const mu = sum / cols;
    let sq = 0;
    for (let j = 0; j < cols; j++) {
      const d = x[o + j]! - mu;
      sq += d * d;
    }
    const r = 1 / Math.sqrt(sq / cols + eps);
    mean[i] = mu;
    rstd[i] = r;
    for (let j = 0; j < cols; j++) y[o + j] = (x[o + j]! - mu) * r * gamma[j]! + beta[j]!;
  }
}

/**
 * Backward: dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = dy·gamma, x̂ the normalised input;
 * dgamma += Σ dy·x̂ and dbeta += Σ dy over rows (added to, so micro-batches accumulate; zero them
 * first for a fresh gradient). dx may be dy.
 */
export function layerNormBackward(
  arena: ViewOwner, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, dy: Float32Array,
  x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array, rows: number, cols: number,
): void {
  checkCount('layerNormBackward', 'rows', rows);
  checkCount('layerNormBackward', 'cols', cols);
  const size = rows * cols;
  checkViews(arena, 'layerNormBackward', [
    ['dx', dx, size], ['dgamma', dgamma, cols], ['dbeta', dbeta, cols], ['dy', dy, size],
    ['x', x, size], ['gamma', gamma, cols], ['mean', mean, rows], ['rstd', rstd, rows],
  ]);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    const mu = mean[i]!, r = rstd[i]!;
    let sumG = 0, sumGX = 0;
    for (let j = 0; j < cols; j++) {
      const g = dy[o + j]!;
      const xh = (x[o + j]! - mu) * r;
      const gh = g * gamma[j]!;
      sumG += gh;
      sumGX += gh * xh;
      dgamma[j] = dgamma[j]! + g * xh;
      dbeta[j] = dbeta[j]! + g;
    }
    const meanG = sumG / cols, meanGX = sumGX / cols;
    for (let j = 0; j < cols; j++) {
      const xh = (x[o + j]! - mu) * r;
      dx[o + j] = r * (dy[o + j]! * gamma[j]! - meanG - xh * meanGX);
    }
  }
}
