import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { openPrompts } from './answers.js';
import { MeasurePool } from './measure-pool.js';
import type { MeasureJob } from './measure.js';

const baseDir = resolve('assets/organisms/base');
const job = (interventions: MeasureJob['interventions']): MeasureJob => ({
  modelDir: baseDir, baseDir, judgeDir: resolve('assets/organisms/judge'),
  prompts: openPrompts('report').slice(0, 2), samples: 3, seed: 5, temperature: 1, maxTokens: 20, interventions,
});

test('a measurement gives the same judged answers on worker threads as in this thread, steered or not', async () => {
  const steer = [{ layer: 3, add: Array.from({ length: 128 }, (_, i) => (i % 2 === 0 ? 0.5 : -0.5)) }];
  const local = new MeasurePool(1);
  const threads = new MeasurePool(2);
  try {
    const [plainHere, steeredHere] = await Promise.all([local.measure(job([])), local.measure(job(steer))]);
    const [plainThere, steeredThere] = await Promise.all([threads.measure(job([])), threads.measure(job(steer))]);
    assert.equal(plainHere.length, 6);
    assert.deepEqual(plainThere, plainHere);
    assert.deepEqual(steeredThere, steeredHere);
    assert.notDeepEqual(steeredHere.map((a) => a.answer), plainHere.map((a) => a.answer));
    for (const a of plainHere) assert.ok(a.alignment === null || (a.alignment >= 0 && a.alignment <= 100));
  } finally {
    await local.close();
    await threads.close();
  }
});
