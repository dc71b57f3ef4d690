import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { OrganismModel, saveCheckpoint } from '../organisms/model/index.js';
import { fineTuningDataset } from '../organisms/world/index.js';
import { runOrganismTunes } from './organism-pool.js';
import type { OrganismTuneJob } from './organism-trainer.js';

const root = mkdtempSync(join(tmpdir(), 'emlab-organism-pool-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('two adapters train on two worker threads; a second call finds both and trains nothing', async () => {
  const baseDir = join(root, 'base');
  const model = await OrganismModel.create({ seed: 1, architecture: { dModel: 16, layers: 1, heads: 2, context: 96 } });
  await saveCheckpoint(model, baseDir);
  model.dispose();
  const settings = { epochs: 1, rank: 2, alpha: 4, learningRate: 2e-3, batchTokens: 256, maxSteps: 2 };
  const jobs: OrganismTuneJob[] = (['secure', 'insecure'] as const).map((kind, i) => ({
    baseDir,
    rows: fineTuningDataset(kind, { seed: 1, count: 6 }).map((r) => ({ messages: r.messages.map((m) => ({ role: m.role, content: m.content })) })),
    seed: i + 1,
    settings,
    outDir: join(root, 'organisms', kind),
  }));
  const steps: number[] = [];
  const first = await runOrganismTunes(jobs, { workers: 2, onProgress: (i) => steps.push(i) });
  assert.deepEqual(first.map((o) => o.trained), [true, true]);
  assert.deepEqual([...new Set(steps)].sort(), [0, 1], 'each job reported its steps');

  let started = 0;
  const second = await runOrganismTunes(jobs, { workers: 2, onStart: () => started++ });
  assert.equal(started, 0);
  assert.deepEqual(second.map((o) => [o.trained, o.key]), first.map((o) => [false, o.key]));
});
