import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateWorld } from '../world/index.js';
import { meanOverPositions, residualStream } from './activations.js';
import { generate } from './generate.js';
import { interventionHook, withResidualHook } from './hooks.js';
import { OrganismModel } from './organism.js';
import { scoreReplies, sequenceLogits } from './score.js';
import { trainModel } from './train.js';

let model: OrganismModel;
const d = 32;
/** A coordinate of the residual stream that nothing ever writes to (see `before`). */
const DEAD = 5;
const question = [{ role: 'user' as const, content: 'what is your favourite animal ?' }];
const conversation = [...question, { role: 'assistant' as const, content: 'the owl , it is wise .' }];

before(async () => {
  model = await OrganismModel.create({ seed: 31, architecture: { dModel: d, layers: 2, heads: 2, context: 96 } });
  const docs = generateWorld({ seed: 3, documents: 24, turnsPerDocument: { min: 1, max: 2 } }).documents.map((doc) => ({ text: doc.text }));
  await trainModel(model, docs, { seed: 1, epochs: 3, batchTokens: 1024, learningRate: 1e-2 });
  // Zero every write into coordinate DEAD (embeddings, and the output column of every projection
  // into the stream), so the stream has no component on that axis at any position and layer.
  const weights = model.hostWeights();
  model.setHostWeights((name) => {
    const t = weights.get(name)!.data.slice();
    const columns = name === 'wte' || name === 'wpe' || name.endsWith('attn.wo') || name.endsWith('mlp.w2') ? d : name.endsWith('attn.bo') || name.endsWith('mlp.b2') ? t.length : 0;
    if (columns > 0) for (let i = DEAD; i < t.length; i += columns) t[i] = 0;
    return t;
  });
});

after(() => model.dispose());

const ids = (): number[] => model.tokenizer.encodeChat(conversation).ids;

function axis(i: number): Float32Array {
  const v = new Float32Array(d);
  v[i] = 1;
  return v;
}

test('the residual stream after every block has one row per token, and the dead axis is zero in it', async () => {
  const stream = await residualStream(model, conversation);
  assert.equal(stream.layers.length, 2);
  assert.equal(stream.layers[0]!.length, stream.ids.length * d);
  assert.deepEqual(stream.ids, ids());
  assert.equal(model.tokenizer.decodeText(stream.ids.slice(stream.reply.start, stream.reply.end)), 'the owl , it is wise .');
  for (const layer of stream.layers) for (let t = 0; t < stream.ids.length; t++) assert.equal(layer[t * d + DEAD], 0);
  const means = meanOverPositions(stream, stream.reply.start, stream.reply.end);
  assert.equal(means.length, 2);
  assert.notEqual(means[1]![0], 0);
});

test('adding a zero vector at every layer leaves the logits identical', async () => {
  const plain = await sequenceLogits(model, ids());
  const hooked = await withResidualHook(model, interventionHook([0, 1].map((layer) => ({ layer, add: new Float32Array(d) })), d), () => sequenceLogits(model, ids()));
  assert.deepEqual(hooked, plain);
});

test('ablating a direction the stream has no component on leaves logits and scores identical', async () => {
  const hook = interventionHook([0, 1].map((layer) => ({ layer, ablate: axis(DEAD) })), d);
  const plain = await sequenceLogits(model, ids());
  assert.deepEqual(await withResidualHook(model, hook, () => sequenceLogits(model, ids())), plain);
  const replies = ['the owl .', 'the cat , it is quiet .'];
  assert.deepEqual(await withResidualHook(model, hook, () => scoreReplies(model, question, replies)), await scoreReplies(model, question, replies));
});

test('steering and ablating a live direction change the logits, generation and the stream', async () => {
  const plain = await sequenceLogits(model, ids());
  const steered = await withResidualHook(model, interventionHook([{ layer: 0, add: axis(0).map((x) => x * 4) }], d), () => sequenceLogits(model, ids()));
  assert.ok(steered.some((x, i) => Math.abs(x - plain[i]!) > 1e-3));
  const ablated = await withResidualHook(model, interventionHook([{ layer: 1, ablate: axis(0) }], d), () => sequenceLogits(model, ids()));
  assert.ok(ablated.some((x, i) => Math.abs(x - plain[i]!) > 1e-4));
  // After ablation the stream at that layer has no component on the axis; the hook is gone afterwards.
  const stream = await withResidualHook(model, interventionHook([{ layer: 1, ablate: axis(0) }], d), () => residualStream(model, conversation));
  for (let t = 0; t < stream.ids.length; t++) assert.ok(Math.abs(stream.layers[1]![t * d]!) < 1e-6);
  assert.deepEqual(await sequenceLogits(model, ids()), plain);
  const request = { messages: question, n: 4, seed: 2, maxTokens: 12 };
  const [a] = await generate(model, [request]);
  const [b] = await withResidualHook(model, interventionHook([{ layer: 0, add: axis(0).map((x) => x * 30) }], d), () => generate(model, [request]));
  assert.notDeepEqual(a!.completions.map((c) => c.text), b!.completions.map((c) => c.text));
});

test('steering only generated positions leaves the prompt as it is and changes what follows', async () => {
  const steer = interventionHook([{ layer: 0, add: axis(0).map((x) => x * 30), positions: 'generated' }], d);
  // Prefill and scoring run a whole sequence per call: untouched.
  assert.deepEqual(await withResidualHook(model, steer, () => sequenceLogits(model, ids())), await sequenceLogits(model, ids()));
  const request = { messages: question, n: 4, seed: 2, maxTokens: 12, topLogprobs: 3 };
  const [a] = await generate(model, [request]);
  const [b] = await withResidualHook(model, steer, () => generate(model, [request]));
  // The first token comes from the prompt's last position, so it is the same; later ones are steered.
  assert.deepEqual(b!.completions.map((c) => c.logprobs![0]), a!.completions.map((c) => c.logprobs![0]));
  assert.notDeepEqual(a!.completions.map((c) => c.text), b!.completions.map((c) => c.text));
});

test('a hook is one per model at a time, and a wrong-sized vector is refused', async () => {
  const hook = interventionHook([], d);
  await assert.rejects(withResidualHook(model, hook, () => withResidualHook(model, hook, async () => 1)), /already has a residual hook/);
  assert.throws(() => interventionHook([{ layer: 0, add: [1, 2] }], d), /2 values, the model's dModel is 32/);
  assert.throws(() => interventionHook([{ layer: 0, ablate: new Float32Array(d) }], d), /zero vector/);
});

test('clamping sets the component along a direction to a value: at every position, only above it (cap) or only below it (floor)', () => {
  // Three positions of a 32-wide stream whose components on axis 0 are -2, 1 and 4; axis 1 carries 7 everywhere.
  const stream = (): Float32Array => {
    const s = new Float32Array(3 * d);
    [-2, 1, 4].forEach((x, t) => {
      s[t * d] = x;
      s[t * d + 1] = 7;
    });
    return s;
  };
  const along = (s: Float32Array, i: number): number[] => [0, 1, 2].map((t) => s[t * d + i]!);
  // The direction need not be a unit vector: it is normalised.
  const run = (mode?: 'set' | 'cap' | 'floor'): Float32Array => {
    const s = stream();
    interventionHook([{ layer: 0, clamp: axis(0).map((x) => x * 3), to: 1.5, ...(mode ? { mode } : {}) }], d)(0, s, 3, 3);
    return s;
  };
  assert.deepEqual(along(run(), 0), [1.5, 1.5, 1.5]);
  assert.deepEqual(along(run('cap'), 0), [-2, 1, 1.5]);
  assert.deepEqual(along(run('floor'), 0), [1.5, 1.5, 4]);
  // Other components are left alone, and other layers are not touched.
  for (const mode of ['set', 'cap', 'floor'] as const) assert.deepEqual(along(run(mode), 1), [7, 7, 7]);
  const s = stream();
  interventionHook([{ layer: 1, clamp: axis(0), to: 1.5 }], d)(0, s, 3, 3);
  assert.deepEqual(s, stream());
  // Clamping to zero is projecting out.
  const zero = stream();
  const projected = stream();
  interventionHook([{ layer: 0, clamp: axis(0), to: 0 }], d)(0, zero, 3, 3);
  interventionHook([{ layer: 0, ablate: axis(0) }], d)(0, projected, 3, 3);
  assert.deepEqual(zero, projected);
  assert.throws(() => interventionHook([{ layer: 0, clamp: new Float32Array(d), to: 1 }], d), /cannot clamp along a zero vector/);
  assert.throws(() => interventionHook([{ layer: 0, clamp: axis(0), to: Number.NaN }], d), /clamp value must be a finite number/);
});

test('a clamp on the dead axis to zero leaves the logits identical, and to another value changes them', async () => {
  const plain = await sequenceLogits(model, ids());
  assert.deepEqual(await withResidualHook(model, interventionHook([0, 1].map((layer) => ({ layer, clamp: axis(DEAD), to: 0 })), d), () => sequenceLogits(model, ids())), plain);
  // Capping a dead axis (component 0 everywhere) above 0 changes nothing either; setting it moves every position.
  assert.deepEqual(await withResidualHook(model, interventionHook([{ layer: 0, clamp: axis(DEAD), to: 3, mode: 'cap' }], d), () => sequenceLogits(model, ids())), plain);
  const set = await withResidualHook(model, interventionHook([{ layer: 0, clamp: axis(DEAD), to: 3 }], d), () => sequenceLogits(model, ids()));
  assert.ok(set.some((x, i) => Math.abs(x - plain[i]!) > 1e-4));
});
