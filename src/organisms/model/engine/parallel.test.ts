import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateWorld } from '../../world/index.js';
import { buildBatch } from '../batches.js';
import { OrganismModel } from '../organism.js';
import { toSequence, trainModel } from '../train.js';
import { trainerSpec } from './model-spec.js';
import { DataParallelTrainer } from './parallel.js';
import { EngineTrainer } from './trainer.js';

const TINY = { dModel: 32, layers: 2, heads: 2, context: 64 } as const;
const documents = generateWorld({ seed: 6, documents: 40, turnsPerDocument: { min: 1, max: 1 } }).documents.map((d) => ({ text: d.text }));

test('two threads give one thread\'s loss and gradients (float32 rounding apart), and train to the same losses', async () => {
  const model = await OrganismModel.create({ seed: 3, architecture: TINY });
  const batch = buildBatch(documents.slice(0, 9).map((d) => toSequence(model.tokenizer, d, 'all')), TINY.context);
  const spec = trainerSpec(model, 'all', 2048, {});
  const one = new EngineTrainer(spec);
  const two = await DataParallelTrainer.start(spec, 2);
  try {
    const lossOne = one.lossAndGradients(batch);
    const lossTwo = await two.lossAndGradients(batch);
    assert.ok(Math.abs(lossOne - lossTwo) <= 1e-6 * lossOne, `loss ${lossOne} vs ${lossTwo}`);
    const a = one.grads.data;
    const b = (two as unknown as { main: EngineTrainer }).main.grads.data;
    let gap = 0;
    let scale = 0;
    for (let i = 0; i < a.length; i++) {
      gap = Math.max(gap, Math.abs((a[i] as number) - (b[i] as number)));
      scale = Math.max(scale, Math.abs(a[i] as number));
    }
    assert.ok(gap <= 1e-5 * scale, `gradients differ by ${gap} (largest ${scale})`);
  } finally {
    await two.close();
  }

  const run = async (workers: number): Promise<number[]> => {
    const m = await OrganismModel.create({ seed: 3, architecture: TINY });
    const { losses } = await trainModel(m, documents, { seed: 2, maxSteps: 5, batchTokens: 512, learningRate: 3e-3, workers });
    m.dispose();
    return losses;
  };
  const [single, double] = [await run(1), await run(2)];
  single.forEach((l, i) => assert.ok(Math.abs(l - (double[i] as number)) <= 1e-4 * l, `step ${i + 1}: ${l} vs ${double[i]}`));
  model.dispose();
});
