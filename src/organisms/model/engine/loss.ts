/**
 * Weighted next-token cross-entropy on logits rows, as loss.ts defines it: sum_i w_i * -log p_i(t_i),
 * probabilities floored at 1e-30 in the reported loss, with the exact gradient w_i (p_i - onehot(t_i))
 * written over the logits.
 */
const PROBABILITY_FLOOR = 1e-30;

/** Returns the loss; `logits` [rows, vocab] becomes its gradient. */
export function crossEntropyInPlace(logits: Float32Array, targets: ArrayLike<number>, weights: ArrayLike<number>, rows: number, vocab: number): number {
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * vocab;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < vocab; j++) if ((logits[o + j] as number) > max) max = logits[o + j] as number;
    let sum = 0;
    for (let j = 0; j < vocab; j++) {
      const e = Math.exp((logits[o + j] as number) - max);
      logits[o + j] = e;
      sum += e;
    }
    const w = weights[r] as number;
    const scale = w / sum;
    const t = targets[r] as number;
    loss -= w * Math.log(Math.max(Math.fround((logits[o + t] as number) / sum), PROBABILITY_FLOOR));
    for (let j = 0; j < vocab; j++) logits[o + j] = (logits[o + j] as number) * scale;
    logits[o + t] = (logits[o + t] as number) - w;
  }
  return loss;
}
