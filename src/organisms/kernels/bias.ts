/**
 * The steps around a linear layer y = x·W + b, over views of an arena, in wasm SIMD
 * (bias-kernel.ts): the bias add (optionally with a ReLU), the bias gradient (column sums) and the
 * ReLU's backward mask.
 */
import type { KernelArena } from './arena.js';
import { checkCount, checkViews } from './views.js';

/** y[i, :] += bias for each of `rows` rows of `cols`; with `relu`, then y = max(y, 0). */
export function addBias(arena: KernelArena, y: Float32Array, bias: Float32Array, rows: number, cols: number, options: { relu?: boolean } = {}): void {
  checkCount('addBias', 'rows', rows);
  checkCount('addBias', 'cols', cols);
  checkViews(arena, 'addBias', [['y', y, rows * cols], ['bias', bias, cols]]);
  if (cols === 0) return;
  (options.relu === true ? arena.elementwise.addBiasRelu : arena.elementwise.addBias)(y.byteOffset, bias.byteOffset, rows, cols);
}

/** sum[j] += Σᵢ x[i, j] over `rows` rows of `cols` (the bias gradient; zero sum first for a fresh one). */
export function columnSums(arena: KernelArena, sum: Float32Array, x: Float32Array, rows: number, cols: number): void {
  checkCount('columnSums', 'rows', rows);
  checkCount('columnSums', 'cols', cols);
  checkViews(arena, 'columnSums', [['sum', sum, cols], ['x', x, rows * cols]]);
  if (cols === 0) return;
  arena.elementwise.columnSums(sum.byteOffset, x.byteOffset, rows, cols);
}

/** dx = dy where y > 0, else 0 (y the ReLU's output), for n entries; dx may be dy. */
export function reluBackward(arena: KernelArena, dx: Float32Array, dy: Float32Array, y: Float32Array, n: number): void {
  checkCount('reluBackward', 'n', n);
  checkViews(arena, 'reluBackward', [['dx', dx, n], ['dy', dy, n], ['y', y, n]]);
  const vectors = n >> 2;
  if (vectors > 0) arena.elementwise.reluBackward(dx.byteOffset, dy.byteOffset, y.byteOffset, vectors);
  for (let i = 4 * vectors; i < n; i++) dx[i] = (y[i] as number) > 0 ? (dy[i] as number) : 0;
}
