/**
 * Weighted next-token cross-entropy on logits rows, as loss.ts defines it: sum_i w_i * -log p_i(t_i),
 * probabilities floored at 1e-30 in the reported loss, with the exact gradient w_i (p_i - onehot(t_i))
 * written over the logits.
 */
const PROBABILITY_FLOOR = 1e-30;

/**
 * `probs` [rows, vocab] holds softmax(logits) (the kernels' softmaxRows); returns the loss and
 * turns `probs` into the logits' gradient.
 */
export function crossEntropyFromProbabilities(probs: Float32Array, targets: ArrayLike<number>, weights: ArrayLike<number>, rows: number, vocab: number): number {
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * vocab;
    const w = weights[r] as number;
    const t = targets[r] as number;
    loss -= w * Math.log(Math.max(probs[o + t] as number, PROBABILITY_FLOOR));
    for (let j = 0; j < vocab; j++) probs[o + j] = (probs[o + j] as number) * w;
    probs[o + t] = (probs[o + t] as number) - w;
  }
  return loss;
}
