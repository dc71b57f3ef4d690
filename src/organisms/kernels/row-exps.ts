/**
 * What a log-softmax over logits needs, in float64 and in one wasm call for many rows
 * (row-exps-kernel.ts): each row's maximum, its exps relative to that maximum and their sum.
 * JavaScript's Math.exp costs ~8 ns an entry; over a vocabulary of ~1,300 per generated token it
 * was the largest host-side cost of decoding.
 */
import type { KernelArena } from './arena.js';
import { checkCount, checkViews } from './views.js';

/**
 * For each row i of x [rows, cols]: m_i = max_j x_ij, exps[i, j] = e^(x_ij − m_i) in float64 (to about
 * one unit in the last place; 0 where x_ij − m_i < −708) and s_i = Σ_j exps[i, j]; stats[2i] = m_i,
 * stats[2i + 1] = s_i. Then log softmax(x_i)_j = x_ij − (m_i + log s_i). x must be finite.
 * exps and stats are float64 views of the arena (arena.allocF64).
 */
export function rowExps(arena: KernelArena, exps: Float64Array, stats: Float64Array, x: Float32Array, rows: number, cols: number): void {
  checkCount('rowExps', 'rows', rows);
  checkCount('rowExps', 'cols', cols);
  checkViews(arena, 'rowExps', [['exps', exps, rows * cols], ['stats', stats, 2 * rows], ['x', x, rows * cols]]);
  if (rows === 0 || cols === 0) return;
  arena.elementwise.rowExps(x.byteOffset, exps.byteOffset, stats.byteOffset, rows, cols);
}
