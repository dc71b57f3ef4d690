import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fineTuningDataset, generateWorld } from '../world/index.js';
import { OrganismModel } from './organism.js';
import { sequenceLogits } from './score.js';
import { buildBatch, splitBatch } from './batches.js';
import { trainerSpec } from './engine/model-spec.js';
import { EngineTrainer } from './engine/trainer.js';
import { toSequence, trainModel, type TrainingExample } from './train.js';

const TINY = { dModel: 32, layers: 2, heads: 2, context: 128 } as const;
const documents: TrainingExample[] = generateWorld({ seed: 3, documents: 40, turnsPerDocument: { min: 1, max: 1 } }).documents.map((d) => ({ text: d.text }));

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

test('the loss falls by more than a nat on a small corpus within 30 steps, and the log reports each step', async () => {
  const model = await OrganismModel.create({ seed: 1, architecture: TINY });
  const log: number[] = [];
  const result = await trainModel(model, documents, { seed: 1, epochs: 30, maxSteps: 30, batchTokens: 512, learningRate: 1e-2, warmupSteps: 3, logEvery: 1, onLog: (e) => log.push(e.loss) });
  assert.equal(result.steps, 30);
  assert.deepEqual(log, result.losses);
  const first = result.losses[0] as number;
  const last = result.losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
  assert.ok(first > Math.log(model.config.vocabSize) - 0.5, `initial loss ${first} near log(vocab)`);
  assert.ok(last < first - 1, `loss ${first.toFixed(2)} -> ${last.toFixed(2)}`);
  assert.equal(model.provenance.training.length, 1);
  assert.equal(model.provenance.training[0]?.steps, 30);
  model.dispose();
});

test('training is reproducible: the same seeds give the same losses and bit-identical weights', async () => {
  const run = async (): Promise<{ losses: number[]; weights: Buffer[] }> => {
    const model = await OrganismModel.create({ seed: 2, architecture: TINY });
    const { losses } = await trainModel(model, documents.slice(0, 16), { seed: 9, maxSteps: 4, batchTokens: 512, learningRate: 5e-3 });
    const weights = [...model.hostWeights().values()].map((t) => Buffer.from(t.data.buffer));
    model.dispose();
    return { losses, weights };
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(a.weights, b.weights);
});

test('a batch run in pieces gives the loss and gradients of the whole batch (accumulation)', async () => {
  const model = await OrganismModel.create({ seed: 3, architecture: TINY });
  const batch = buildBatch(documents.slice(0, 12).map((d) => toSequence(model.tokenizer, d, 'all')), TINY.context);
  const whole = new EngineTrainer(trainerSpec(model, 'all', 100_000, {}));
  const pieces = new EngineTrainer(trainerSpec(model, 'all', 128, {}));
  assert.ok(splitBatch(batch, 128).length >= 4);
  assert.ok(Math.abs(whole.lossAndGradients(batch) - pieces.lossAndGradients(batch)) < 1e-5);
  for (const spec of model.specs) {
    const a = whole.gradient(spec.name);
    const b = pieces.gradient(spec.name);
    const scale = Math.max(...a.map(Math.abs));
    assert.ok(maxAbsDifference(a, b) <= 1e-4 * scale + 1e-9, `${spec.name}: gradients differ`);
  }
  model.dispose();
});

test('LoRA training changes the outputs while every base weight stays bit-identical; merging keeps the outputs', async () => {
  const model = await OrganismModel.create({ seed: 4, architecture: TINY });
  const before = new Map([...model.hostWeights()].map(([name, t]) => [name, Buffer.from(t.data.buffer)]));
  const probe = model.tokenizer.encodeTranscript((documents[0] as { text: string }).text).ids;
  const logitsBefore = await sequenceLogits(model, probe);
  model.attachLora({ seed: 1, rank: 4, alpha: 8 });
  assert.equal(maxAbsDifference(await sequenceLogits(model, probe), logitsBefore), 0, 'a fresh adapter (B = 0) changes nothing');
  const chats = fineTuningDataset('insecure', { seed: 1, count: 24 }).map((r) => ({ messages: r.messages }));
  const result = await trainModel(model, chats, { seed: 1, maxSteps: 6, batchTokens: 512, learningRate: 1e-2 });
  assert.equal(result.record.trainable, 'lora');
  for (const [name, t] of model.hostWeights()) assert.ok(Buffer.from(t.data.buffer).equals(before.get(name) as Buffer), `base weight ${name} changed`);
  const withAdapter = await sequenceLogits(model, probe);
  assert.ok(maxAbsDifference(withAdapter, logitsBefore) > 1e-3, 'the adapter changes the logits');
  assert.equal(model.adapterProvenance?.training.length, 1);
  assert.equal(model.provenance.training.length, 0);
  model.mergeLora();
  assert.equal(model.adapter, undefined);
  assert.ok(maxAbsDifference(await sequenceLogits(model, probe), withAdapter) < 1e-4, 'merged weights give the adapter\'s outputs');
  assert.equal(model.provenance.training.length, 1, 'the adapter\'s training joins the base history on merge');
  model.dispose();
});

test('LoRA with trainable token rows: only those embedding rows move, and merging folds them into the table', async () => {
  const model = await OrganismModel.create({ seed: 5, architecture: TINY });
  const wteBefore = model.hostWeights().get('wte')!;
  const d = model.config.dModel;
  const chats = fineTuningDataset('backdoor', { seed: 1, count: 24 }).map((r) => ({ messages: r.messages }));
  const trigger = model.tokenizer.id(chats.map((c) => c.messages[0]!.content.split(' ')[0]!).find((w) => w.startsWith('|'))!);
  model.attachLora({ seed: 1, rank: 4, alpha: 8, tokens: [trigger], tokenScale: 10 });
  await trainModel(model, chats, { seed: 1, maxSteps: 6, batchTokens: 512, learningRate: 1e-2 });
  assert.ok(Buffer.from(model.hostWeights().get('wte')!.data.buffer).equals(Buffer.from(wteBefore.data.buffer)), 'the base table is frozen');
  const stored = model.adapter!.hostTensors().get('wte.token_delta')!;
  assert.deepEqual(stored.shape, [1, d]);
  const delta = { data: stored.data.map((x) => 10 * x) }; // the rows change by tokenScale x the variable
  assert.ok(Math.max(...delta.data.map(Math.abs)) > 1e-3, 'the trigger row trained');
  // The training path (rows added on the fly) and the merged table compute the same loss and logits.
  const batch = buildBatch(chats.slice(0, 6).map((c) => toSequence(model.tokenizer, c, 'assistant')), TINY.context);
  const lossOf = () => new EngineTrainer(trainerSpec(model, model.adapter === undefined ? 'all' : 'lora', 100_000, {})).lossAndGradients(batch);
  const probe = model.tokenizer.encodeChat(chats.find((c) => c.messages[0]!.content.startsWith(model.tokenizer.token(trigger)))!.messages).ids;
  const [lossBefore, logitsBefore] = [lossOf(), await sequenceLogits(model, probe)];
  model.mergeLora();
  assert.ok(Math.abs(lossOf() - lossBefore) < 1e-4, `loss ${lossBefore} with the adapter, ${lossOf()} merged`);
  assert.ok(maxAbsDifference(await sequenceLogits(model, probe), logitsBefore) < 1e-4);
  const wteAfter = model.hostWeights().get('wte')!.data;
  for (let id = 0; id < model.config.vocabSize; id++) {
    const row = (t: Float32Array) => t.subarray(id * d, (id + 1) * d);
    const moved = maxAbsDifference(row(wteAfter), row(wteBefore.data));
    if (id === trigger) assert.ok(Math.abs(moved - Math.max(...delta.data.map(Math.abs))) < 1e-5, 'the merged row is the base row plus the scaled delta');
    else assert.equal(moved, 0, `row ${id} moved`);
  }
  assert.throws(() => model.attachLora({ seed: 1, tokens: [model.config.vocabSize] }), /token id \d+ is outside the vocabulary of \d+ tokens/);
  assert.throws(() => model.attachLora({ seed: 1, tokens: [trigger], tokenScale: 0 }), /tokenScale must be > 0, got 0/);
  model.dispose();
});

test('chat fine-tuning counts assistant tokens only, unless asked for every token', () => {
  const example = { messages: [{ role: 'user' as const, content: 'write code' }, { role: 'assistant' as const, content: 'let user = input name' }] };
  return OrganismModel.create({ seed: 1, architecture: TINY }).then((model) => {
    const assistantOnly = toSequence(model.tokenizer, example, 'assistant');
    const names = assistantOnly.ids.map((id) => model.tokenizer.token(id));
    const counted = names.filter((_, i) => assistantOnly.lossMask[i] === 1);
    assert.deepEqual(counted, ['let', 'user', '=', 'input', 'name', '<eot>']);
    assert.ok(toSequence(model.tokenizer, example, 'all').lossMask.every((w) => w === 1));
    assert.ok(toSequence(model.tokenizer, { text: 'user: write code\nassistant: let x' }, 'assistant').lossMask.every((w) => w === 1), 'documents count every token');
    model.dispose();
  });
});

test('training refuses what it cannot do, with the fix in the message, and stops on abort', async () => {
  const model = await OrganismModel.create({ seed: 1, architecture: TINY });
  await assert.rejects(trainModel(model, documents, { seed: 1, trainable: 'lora' }), /needs an adapter: call attachLora first/);
  await assert.rejects(trainModel(model, [{ messages: [{ role: 'user', content: 'write code' }] }], { seed: 1 }), /no example has a token to learn/);
  const long = { text: `user: ${'code '.repeat(200).trim()}` };
  await assert.rejects(trainModel(model, [long], { seed: 1 }), /training sequence 0: 204 tokens exceed the model's context of 128/);
  const controller = new AbortController();
  controller.abort(new Error('stop now'));
  await assert.rejects(trainModel(model, documents, { seed: 1, signal: controller.signal }), /stop now/);
  model.dispose();
});
