/**
 * Row softmax and its gradient over views of an arena, with the scaling and causal mask attention
 * needs. Both run in wasm SIMD (elementwise-kernel.ts; README has the measurements against the
 * JavaScript loops they replaced).
 */
import type { KernelArena } from './arena.js';
import { checkCount, checkViews } from './views.js';

export interface SoftmaxOptions {
  /** softmax(scale·x); default 1. */
  scale?: number;
  /**
   * Mask column j of row i when j > i + (cols − rows): causal attention of the last `rows` queries
   * over `cols` keys (square scores: j > i). Masked entries come out 0.
   */
  causal?: boolean;
  /** Row stride of x and y in floats (default cols). */
  ld?: number;
}

function extent(kernel: string, rows: number, cols: number, ld: number): number {
  if (!Number.isSafeInteger(ld) || ld < cols) throw new Error(`${kernel}: ld ${ld} is less than cols ${cols}`);
  return rows === 0 ? 0 : (rows - 1) * ld + cols;
}

/** y = softmax(scale·x) along each of `rows` rows of `cols`; y may be x. Entries of −∞ get 0. scale > 0. */
export function softmaxRows(arena: KernelArena, y: Float32Array, x: Float32Array, rows: number, cols: number, options: SoftmaxOptions = {}): void {
  checkCount('softmaxRows', 'rows', rows);
  checkCount('softmaxRows', 'cols', cols);
  const { scale = 1, causal = false, ld = cols } = options;
  if (!(scale > 0 && scale < Infinity)) throw new Error(`softmaxRows: scale must be a positive number, got ${scale}`);
  const size = extent('softmaxRows', rows, cols, ld);
  checkViews(arena, 'softmaxRows', [['y', y, size], ['x', x, size]]);
  if (rows === 0 || cols === 0) return;
  arena.elementwise.softmaxRows(x.byteOffset, y.byteOffset, rows, cols, 4 * ld, causal ? cols - rows : cols, scale);
}

/**
 * dx = scale · y ⊙ (dy − Σⱼ yⱼ·dyⱼ) per row: the gradient of softmaxRows with respect to x, given
 * its output y and the gradient dy of its output. dx may be dy. Masked entries (y = 0) get 0. `ld`: row stride, as for softmaxRows.
 */
export function softmaxRowsBackward(
  arena: KernelArena, dx: Float32Array, y: Float32Array, dy: Float32Array, rows: number, cols: number,
  options: { scale?: number; ld?: number } = {},
): void {
  checkCount('softmaxRowsBackward', 'rows', rows);
  checkCount('softmaxRowsBackward', 'cols', cols);
  const { scale = 1, ld = cols } = options;
  const size = extent('softmaxRowsBackward', rows, cols, ld);
  checkViews(arena, 'softmaxRowsBackward', [['dx', dx, size], ['y', y, size], ['dy', dy, size]]);
  if (rows === 0 || cols === 0) return;
  arena.elementwise.softmaxRowsBackward(dx.byteOffset, y.byteOffset, dy.byteOffset, rows, cols, 4 * ld, scale);
}
