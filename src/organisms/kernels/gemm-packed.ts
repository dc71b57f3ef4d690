/**
 * C = op(A)·B (or +=) for the large NN and TN products of training, on the ten-accumulator tile of
 * gemm-tall-kernel.ts: each block of the shared dimension first packs op(A) into 5-row tiles (a
 * transpose for A stored m×k), then the tile runs over B in place. Bit-identical to
 * `arena.gemm(c, a, b, m, n, k, { aT, accumulate })` (the same multiply-adds in the same order);
 * the last m mod 5 rows and n mod 8 columns are that call.
 */
import type { KernelArena } from './arena.js';
import { overlaps } from './gemm.js';
import { TALL_TILE } from './gemm-tall-kernel.js';
import { checkCount, checkViews } from './views.js';

/** Steps of the shared dimension per packed block (the block of a tile, 5 KiB, stays in the L1 cache). */
const K_BLOCK = 256;
const TILE_COLS = 4 * TALL_TILE.vecs;

/** Free floats gemmPacked needs in the arena for an op(A) of m rows: one packed block. */
export function gemmPackedScratchFloats(m: number): number {
  return (m - (m % TALL_TILE.rows)) * K_BLOCK + 16;
}

export interface GemmPackedOptions {
  /** A is stored k×m (row-major), so op(A) = Aᵀ; otherwise A is stored m×k. */
  aT?: boolean;
  /** C += op(A)·B instead of C = op(A)·B. */
  accumulate?: boolean;
}

/**
 * C[m×n] (=|+=) op(A)·B, all dense row-major, B stored k×n. Needs gemmPackedScratchFloats(m) free
 * floats in the arena (taken and given back). C must not overlap A or B.
 */
export function gemmPacked(arena: KernelArena, c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number, options: GemmPackedOptions = {}): void {
  const { aT = false, accumulate = false } = options;
  checkCount('gemmPacked', 'm', m);
  checkCount('gemmPacked', 'n', n);
  checkCount('gemmPacked', 'k', k);
  const rows = m - (m % TALL_TILE.rows), cols = n - (n % TILE_COLS);
  if (rows === 0 || cols === 0 || k === 0) {
    arena.gemm(c, a, b, m, n, k, { aT, accumulate });
    return;
  }
  checkViews(arena, 'gemmPacked', [['c', c, m * n], ['a', a, m * k], ['b', b, k * n]]);
  const need = gemmPackedScratchFloats(m), free = arena.capacityFloats - arena.usedFloats;
  if (need > free) throw new Error(`gemmPacked: needs ${need} free floats of scratch in the arena, ${free} are free; add gemmPackedScratchFloats(m) to its capacity`);
  if (overlaps(c, m * n, a, m * k) || overlaps(c, m * n, b, k * n)) throw new Error('gemmPacked: c overlaps a or b; write the product into a separate view');
  // The bottom rows (all columns), then the right-hand columns of the others.
  arena.gemm(c.subarray(rows * n), aT ? a.subarray(rows) : a.subarray(rows * k), b, m - rows, n, k, { aT, accumulate, ...(aT ? { lda: m } : {}) });
  if (cols < n) arena.gemm(c.subarray(cols), a, b.subarray(cols), rows, n - cols, k, { aT, accumulate, lda: aT ? m : k, ldb: n, ldc: n });
  const { gemmTall, gemmTallAcc, packTallA } = arena.elementwise;
  const mark = arena.mark();
  try {
    const packed = arena.alloc(rows * Math.min(K_BLOCK, k));
    // op(A)(i, p) sits at a + i·rowStride + p·colStride (bytes).
    const rowStride = aT ? 4 : 4 * k, colStride = aT ? 4 * m : 4;
    for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
      const kb = Math.min(K_BLOCK, k - p0);
      packTallA(packed.byteOffset, a.byteOffset + p0 * colStride, rowStride, colStride, rows / TALL_TILE.rows, kb);
      const tile = p0 === 0 && !accumulate ? gemmTall : gemmTallAcc;
      tile(packed.byteOffset, 4 * TALL_TILE.rows * kb, 4 * TALL_TILE.rows, b.byteOffset + 4 * p0 * n, 4 * TILE_COLS, 4 * n, c.byteOffset, 4 * n, rows, cols, kb);
    }
  } finally {
    arena.release(mark);
  }
}
