/**
 * Weighted next-token cross-entropy over rows of logits, forward and gradient in one call:
 * loss = Σᵢ wᵢ · −log max(softmax(logitsᵢ)[targetᵢ], 1e-30), dlogits = wᵢ · (softmax(logitsᵢ) − onehot(targetᵢ)).
 * The softmax runs in wasm (softmaxRows), the per-row weights too (scaleRows); only one entry per row is
 * touched in JavaScript.
 */
import type { KernelArena } from './arena.js';
import { softmaxRows } from './softmax.js';
import { checkCount, checkViews } from './views.js';

/** Probabilities below this count as this in the loss (69 nats); the gradient stays exact. */
const PROBABILITY_FLOOR = 1e-30;

/**
 * Writes dlogits (may be logits) and returns the weighted loss (a float64 sum). With weights =
 * mask / (number of counted targets) the loss is the mean over counted targets. Needs `rows` free
 * floats of arena scratch for the weights (taken and given back).
 */
export function crossEntropyRows(
  arena: KernelArena, dlogits: Float32Array, logits: Float32Array, targets: Int32Array, weights: Float32Array, rows: number, cols: number,
): number {
  checkCount('crossEntropyRows', 'rows', rows);
  checkCount('crossEntropyRows', 'cols', cols);
  checkViews(arena, 'crossEntropyRows', [['dlogits', dlogits, rows * cols], ['logits', logits, rows * cols]]);
  if (targets.length < rows || weights.length < rows) throw new Error(`crossEntropyRows: ${rows} rows but ${targets.length} targets and ${weights.length} weights`);
  for (let i = 0; i < rows; i++) {
    const t = targets[i] as number;
    if (!(t >= 0 && t < cols)) throw new Error(`crossEntropyRows: target ${t} of row ${i} is outside 0..${cols - 1}`);
  }
  if (rows === 0) return 0;
  softmaxRows(arena, dlogits, logits, rows, cols);
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const w = weights[i] as number;
    if (w !== 0) loss -= w * Math.log(Math.max(dlogits[i * cols + (targets[i] as number)] as number, PROBABILITY_FLOOR));
  }
  const mark = arena.mark();
  try {
    const scales = arena.alloc(rows);
    scales.set(weights.subarray(0, rows));
    arena.elementwise.scaleRows(dlogits.byteOffset, scales.byteOffset, rows, cols);
  } finally {
    arena.release(mark);
  }
  for (let i = 0; i < rows; i++) {
    const at = i * cols + (targets[i] as number);
    dlogits[at] = (dlogits[at] as number) - (weights[i] as number);
  }
  return loss;
}
