/**
 * Weighted next-token cross-entropy with a hand-written gradient, softmax(logits) - onehot(target).
 * The forward pass uses the softmax kernel and picks each target's probability with gatherND: on the
 * wasm backend logSoftmax, exp and gather are each several times slower than those two.
 */
import { tf } from './backend.js';
import { customOp } from './ops.js';

/** Probabilities below this count as this in the reported loss (69 nats); the gradient stays exact. */
const PROBABILITY_FLOOR = 1e-30;

/**
 * sum_i weights[i] * -log softmax(logits[i])[targets[i]]. With weights = mask / (number of counted
 * targets) this is the mean loss over counted targets.
 */
export function weightedCrossEntropy(logits: tf.Tensor2D, targets: Int32Array, weights: Float32Array): tf.Scalar {
  const [rows, vocab] = logits.shape;
  if (targets.length !== rows || weights.length !== rows) throw new Error(`cross-entropy: ${rows} logit rows but ${targets.length} targets and ${weights.length} weights`);
  const pickIndex = new Int32Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    pickIndex[2 * i] = i;
    pickIndex[2 * i + 1] = targets[i] as number;
  }
  const w = tf.tensor1d(weights);
  const pick = tf.tensor2d(pickIndex, [rows, 2], 'int32');
  return customOp(([x], save) => {
    const probs = tf.softmax(x as tf.Tensor);
    const picked = tf.maximum(tf.gatherND(probs, pick), PROBABILITY_FLOOR);
    save([probs, w, pick]);
    return {
      value: tf.neg(tf.sum(tf.mul(tf.log(picked), w))),
      gradFunc: (dy, saved) => {
        const [p, ws, picks] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D];
        const scale = tf.mul(ws, dy);
        return tf.sub(tf.mul(p, tf.expandDims(scale, 1)), tf.scatterND(picks, scale, [rows, vocab]));
      },
    };
  })(logits) as tf.Scalar;
}
