import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ensureBackend, tf } from './backend.js';
import { weightedCrossEntropy } from './loss.js';
import { affine, attention, embedRows, gelu, layerNorm, matMul2d } from './ops.js';
import { seededNormal } from '../weights.js';

before(ensureBackend);

let stream = 0;
function randn(shape: number[]): tf.Tensor {
  return tf.tensor(seededNormal(99, `ops-test-${stream++}`, shape.reduce((a, b) => a * b, 1), 1), shape);
}

function assertClose(actual: tf.Tensor, expected: tf.Tensor, what: string, tolerance = 1e-4): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (e[i] as number)) / (1 + Math.abs(e[i] as number)));
  assert.ok(worst < tolerance, `${what}: relative error ${worst}`);
}

/** Values and gradients of `custom` and of tfjs's own autodiff of `reference`, under a random linear readout. */
function compare(what: string, inputs: tf.Tensor[], custom: (...x: tf.Tensor[]) => tf.Tensor, reference: (...x: tf.Tensor[]) => tf.Tensor): void {
  tf.tidy(() => {
    const readout = randn(reference(...inputs).shape);
    const loss = (f: (...x: tf.Tensor[]) => tf.Tensor) => (...x: tf.Tensor[]) => tf.sum(tf.mul(f(...x), readout));
    assertClose(custom(...inputs), reference(...inputs), `${what} value`);
    const got = tf.grads(loss(custom))(inputs);
    const want = tf.grads(loss(reference))(inputs);
    got.forEach((g, i) => assertClose(g, want[i] as tf.Tensor, `${what} gradient of input ${i}`));
  });
}

test('affine and matMul2d match tfjs matMul in value and gradient (trainable weights)', () => {
  compare('affine', [randn([6, 5]), randn([5, 7]), randn([7])],
    (x, w, b) => affine(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, 'all'),
    (x, w, b) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b as tf.Tensor));
  compare('matMul2d', [randn([6, 5]), randn([5, 7])], (a, b) => matMul2d(a as tf.Tensor2D, b as tf.Tensor2D, 'all'), (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D));
});

test('frozen-weight variants give the input gradient only, equal to the trainable one', () => {
  const w = randn([5, 7]) as tf.Tensor2D;
  const b = randn([7]) as tf.Tensor1D;
  compare('affine frozen', [randn([6, 5])], (x) => affine(x as tf.Tensor2D, w, b, 'inputs'), (x) => tf.add(tf.matMul(x as tf.Tensor2D, w), b));
  compare('matMul2d frozen', [randn([6, 5])], (x) => matMul2d(x as tf.Tensor2D, w, 'inputs'), (x) => tf.matMul(x as tf.Tensor2D, w));
});

test('layerNorm matches the textbook formula in value and gradient', () => {
  const reference = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  compare('layerNorm', [randn([9, 8]), randn([8]), randn([8])], (x, g, b) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, 'all'), reference);
  tf.tidy(() => assertClose(layerNorm(randn([3, 8]) as tf.Tensor2D, tf.ones([8]), tf.zeros([8]), 'none').mean(-1), tf.zeros([3]), 'inference mean', 1e-5));
});

test('gelu is the tanh form of GPT-2', () => {
  const reference = (x: tf.Tensor): tf.Tensor => tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI))), 1));
  compare('gelu', [tf.mul(randn([4, 6]), 3)], (x) => gelu(x as tf.Tensor2D, 'all'), reference);
  tf.tidy(() => {
    const x = randn([4, 6]) as tf.Tensor2D;
    assertClose(gelu(x, 'none'), reference(x), 'inference path');
  });
});

test('embedRows gathers rows and scatters gradients back, adding repeated ids', () => {
  const ids = tf.tensor1d([2, 0, 2, 3], 'int32');
  compare('embedRows', [randn([4, 3])], (t) => embedRows(t as tf.Tensor2D, ids, 'all'), (t) => tf.matMul(tf.oneHot(ids, 4).toFloat(), t as tf.Tensor2D));
});

test('weightedCrossEntropy matches -sum w * log softmax at the target, gradient included', () => {
  const targets = Int32Array.from([1, 4, 0, 4, 2]);
  const weights = Float32Array.from([0.5, 0, 0.25, 0.25, 1]);
  const oneHot = tf.oneHot(tf.tensor1d(targets, 'int32'), 6).toFloat();
  compare('cross-entropy', [tf.mul(randn([5, 6]), 2)], (x) => weightedCrossEntropy(x as tf.Tensor2D, targets, weights),
    (x) => tf.neg(tf.sum(tf.mul(tf.sum(tf.mul(tf.logSoftmax(x), oneHot), 1), tf.tensor1d(weights)))));
});

test('attention matches batched softmax attention with a causal bias, in value and in every gradient', () => {
  const [queries, headDim, rows, heads, keys] = [5, 3, 2, 2, 5];
  const groups = rows * heads;
  const causal = tf.tensor4d(Array.from({ length: queries * keys }, (_, i) => (i % keys > Math.floor(i / keys) ? -1e9 : 0)), [queries, 1, 1, keys]);
  const reference = (q: tf.Tensor, kT: tf.Tensor, v: tf.Tensor): tf.Tensor => {
    const scores = tf.matMul(tf.transpose(q, [2, 0, 1]) as tf.Tensor3D, tf.transpose(kT, [1, 0, 2]) as tf.Tensor3D); // [g, m, n]
    const biased = tf.add(tf.reshape(tf.transpose(scores, [1, 0, 2]), [queries, rows, heads, keys]), causal);
    const probs = tf.transpose(tf.reshape(tf.softmax(biased), [queries, groups, keys]), [1, 0, 2]);
    return tf.transpose(tf.matMul(probs as tf.Tensor3D, tf.transpose(v, [1, 0, 2]) as tf.Tensor3D), [1, 0, 2]);
  };
  const inputs = [randn([queries, headDim, groups]), randn([headDim, groups, keys]), randn([keys, groups, headDim])];
  compare('attention', inputs, (q, kT, v) => attention(q as tf.Tensor3D, kT as tf.Tensor3D, v as tf.Tensor3D, causal, rows, 'all'), reference);
  tf.tidy(() => assertClose(attention(inputs[0] as tf.Tensor3D, inputs[1] as tf.Tensor3D, inputs[2] as tf.Tensor3D, causal, rows, 'none'), reference(...(inputs as [tf.Tensor, tf.Tensor, tf.Tensor])), 'inference path'));
});
