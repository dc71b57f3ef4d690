import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fineTuningDataset, generateWorld } from '../../world/index.js';
import { buildBatch, type Batch } from '../batches.js';
import { OrganismModel } from '../organism.js';
import { lossAndGradientsTfjs } from '../reference/tfjs-reference.js';
import { toSequence } from '../train.js';
import { seededNormal } from '../weights.js';
import { trainerSpec } from './model-spec.js';
import { relativeGap } from './test-support.js';
import { EngineTrainer } from './trainer.js';

// Odd sizes on purpose: widths and token counts that fill no whole kernel tile.
const SMALL = { dModel: 48, layers: 2, heads: 3, context: 64, mlpHidden: 72 } as const;
const documents = generateWorld({ seed: 5, documents: 30, turnsPerDocument: { min: 1, max: 1 } }).documents.map((d) => ({ text: d.text }));

function batchOf(model: OrganismModel, rows: { text: string }[] | { messages: readonly { role: 'user' | 'assistant'; content: string }[] }[], lossOn: 'all' | 'assistant'): Batch {
  return buildBatch(rows.map((r) => toSequence(model.tokenizer, r, lossOn)), model.config.context);
}

function assertSame(engine: EngineTrainer, loss: number, reference: { loss: number; grads: Map<string, Float32Array> }): void {
  assert.ok(Math.abs(loss - reference.loss) <= 1e-4 * Math.abs(reference.loss), `loss ${loss} vs tfjs ${reference.loss}`);
  let largest = 0;
  for (const g of reference.grads.values()) for (const x of g) largest = Math.max(largest, Math.abs(x));
  for (const [name, expected] of reference.grads) {
    assert.ok(expected !== undefined, `${name}: tfjs gave no gradient`);
    const actual = engine.gradient(name);
    if (name.endsWith('attn.bk')) {
      // Exactly 0 in exact arithmetic (a key bias shifts all of a query's scores alike): both sides are rounding noise.
      for (const g of [actual, expected]) assert.ok(Math.max(...g.map(Math.abs)) <= 1e-6 * largest, `${name}: not ~0`);
      continue;
    }
    const gap = relativeGap(actual, expected);
    assert.ok(gap <= 1e-4, `${name}: gradient differs from tfjs by ${gap.toExponential(2)} of its scale`);
  }
}

test('full fine-tune: the engine gives the loss and every gradient of the tfjs path (to 1e-4), whole or in micro-batches', async () => {
  const model = await OrganismModel.create({ seed: 7, architecture: SMALL });
  const batch = batchOf(model, documents.slice(0, 10), 'all');
  const reference = await lossAndGradientsTfjs(model, batch);
  for (const micro of [100_000, 2 * batch.steps]) {
    const engine = new EngineTrainer(trainerSpec(model, 'all', micro, {}));
    assertSame(engine, engine.lossAndGradients(batch), reference);
  }
  model.dispose();
});

/** A LoRA (from random values: B = 0 and D = 0 at creation would hide the gradients through them) on chats of a dataset, against tfjs. */
async function assertLoraMatches(seed: number, dataset: 'insecure' | 'bad-medical', lora: (model: OrganismModel) => Parameters<OrganismModel['attachLora']>[0]): Promise<void> {
  const model = await OrganismModel.create({ seed, architecture: SMALL });
  const chats = fineTuningDataset(dataset, { seed: 2, count: 12 }).map((r) => ({ messages: r.messages }));
  const adapter = model.attachLora(lora(model));
  adapter.setHost((name) => seededNormal(11, name, adapter.tensors.get(name)?.data.length ?? 0, 0.05));
  const batch = batchOf(model, chats, 'assistant');
  const reference = await lossAndGradientsTfjs(model, batch);
  const engine = new EngineTrainer(trainerSpec(model, 'lora', 100_000, {}));
  assertSame(engine, engine.lossAndGradients(batch), reference);
  model.dispose();
}

test('LoRA with trainable token rows: the engine gives the loss and the adapter gradients of the tfjs path (to 1e-4)', async () => {
  await assertLoraMatches(8, 'insecure', (model) => {
    const tokens = [model.tokenizer.vocab.indexOf('the'), 9, 40].filter((id) => id >= 0);
    return { seed: 3, rank: 4, alpha: 8, tokens, tokenScale: 10, targets: ['attn.wq', 'attn.wv', 'mlp.w1', 'mlp.w2'] };
  });
});

test('LoRA without token rows (the embeddings frozen, so the first block leaves its input gradient out): the loss and adapter gradients of the tfjs path (to 1e-4)', async () => {
  await assertLoraMatches(9, 'bad-medical', () => ({ seed: 5, rank: 4, alpha: 8 }));
});
