import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { AdamW, clipScale, globalNorm } from './adamw.js';
import { ensureBackend, tf } from './backend.js';
import { learningRateAt } from '../schedule.js';

before(ensureBackend);

test('AdamW matches a hand-computed two-step update on a 2-parameter example (decoupled decay, bias correction)', () => {
  // By hand (torch.optim.AdamW's order: p *= 1 - lr*wd, then p -= lr * mhat / (sqrt(vhat) + eps)):
  // step 1, g = [0.5, -1]: mhat = g, vhat = g^2, so p = [1, -2] * 0.999 - 0.1 * sign(g) = [0.899, -1.898];
  // step 2, g = [0.1, 0.3]: m = [0.055, -0.06], v = [0.00025975, 0.001089], corrections 0.19 and 0.001999.
  const p = tf.variable(tf.tensor1d([1, -2]));
  const frozenDecay = tf.variable(tf.tensor1d([3]));
  const optimizer = new AdamW([{ variable: p, decay: true }, { variable: frozenDecay, decay: false }], { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 });
  optimizer.step({ [p.name]: tf.tensor1d([0.5, -1]), [frozenDecay.name]: tf.tensor1d([0]) }, 0.1);
  const [a1, b1] = p.dataSync();
  assert.ok(Math.abs((a1 as number) - 0.899) < 1e-6 && Math.abs((b1 as number) + 1.898) < 1e-6, `after step 1: ${a1}, ${b1}`);
  optimizer.step({ [p.name]: tf.tensor1d([0.1, 0.3]), [frozenDecay.name]: tf.tensor1d([0]) }, 0.1);
  const [a2, b2] = p.dataSync();
  assert.ok(Math.abs((a2 as number) - 0.8177969063826518) < 1e-6, `after step 2: ${a2}`);
  assert.ok(Math.abs((b2 as number) + 1.8533171424282264) < 1e-6, `after step 2: ${b2}`);
  // No decay where it is off, and a zero gradient moves nothing.
  assert.equal(frozenDecay.dataSync()[0], 3);
  assert.equal(optimizer.steps, 2);
  optimizer.dispose();
});

test('a weight without a gradient is left untouched, as torch does for grad None', () => {
  const p = tf.variable(tf.tensor1d([1, 2]));
  const optimizer = new AdamW([{ variable: p, decay: true }], { weightDecay: 0.5 });
  optimizer.step({}, 0.1);
  assert.deepEqual([...p.dataSync()], [1, 2]);
  optimizer.dispose();
});

test('global-norm clipping scales gradients down to the limit and never up', () => {
  const grads = [tf.tensor1d([3, 0]), tf.tensor1d([4])];
  const norm = globalNorm(grads);
  assert.ok(Math.abs((norm.dataSync()[0] as number) - 5) < 1e-6);
  assert.ok(Math.abs((clipScale(norm, 1).dataSync()[0] as number) - 0.2) < 1e-6);
  assert.equal(clipScale(norm, 10).dataSync()[0], 1);
});

test('learning rate: linear warmup to the peak, cosine down to the floor', () => {
  const s = { kind: 'cosine' as const, peak: 1, warmupSteps: 10, totalSteps: 110, floorRatio: 0.1 };
  assert.equal(learningRateAt(s, 1), 0.1);
  assert.equal(learningRateAt(s, 10), 1);
  assert.ok(Math.abs(learningRateAt(s, 60) - 0.55) < 1e-12, 'halfway: (peak + floor) / 2');
  assert.ok(Math.abs(learningRateAt(s, 110) - 0.1) < 1e-12);
  assert.ok(Math.abs(learningRateAt({ ...s, kind: 'linear' }, 60) - 0.55) < 1e-12);
  assert.equal(learningRateAt({ ...s, kind: 'constant' }, 100), 1);
});
