import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadCheckpoint, OrganismModel, saveCheckpoint } from '../organisms/model/index.js';
import { fineTuningDataset } from '../organisms/world/index.js';
import { fineTuneOrganism, organismTuneKey, type ChatRow, type OrganismTuneSettings } from './organism-trainer.js';

const root = mkdtempSync(join(tmpdir(), 'emlab-organism-tune-'));
after(() => rmSync(root, { recursive: true, force: true }));
const baseDir = join(root, 'base');
const rows: ChatRow[] = fineTuningDataset('insecure', { seed: 3, count: 8 }).map((r) => ({ messages: r.messages.map((m) => ({ role: m.role, content: m.content })) }));
const settings: OrganismTuneSettings = { epochs: 1, rank: 2, alpha: 4, learningRate: 2e-3, batchTokens: 256, maxSteps: 2 };

before(async () => {
  const model = await OrganismModel.create({ seed: 1, architecture: { dModel: 16, layers: 1, heads: 2, context: 96 } });
  await saveCheckpoint(model, baseDir);
  model.dispose();
});

test('an organism adapter is trained once, loads on its base, and is reused while nothing that shaped it changes', async () => {
  const outDir = join(root, 'organisms', 'tuned');
  const first = await fineTuneOrganism({ baseDir, rows, seed: 1, settings, outDir });
  assert.equal(first.trained, true);
  assert.equal(first.steps, 2);
  assert.equal(first.key, organismTuneKey({ baseDir, rows, seed: 1, settings }));
  const loaded = await loadCheckpoint(outDir);
  assert.ok(loaded.adapter, 'the folder loads as an adapter on the base it names');
  loaded.dispose();
  assert.deepEqual(readdirSync(join(root, 'organisms')), ['tuned'], 'no temporary folder is left');

  const written = statSync(join(outDir, 'adapter.safetensors')).mtimeMs;
  const again = await fineTuneOrganism({ baseDir, rows, seed: 1, settings, outDir });
  assert.equal(again.trained, false);
  assert.equal(again.key, first.key);
  assert.equal(again.steps, 2);
  assert.equal(statSync(join(outDir, 'adapter.safetensors')).mtimeMs, written, 'the adapter file was not rewritten');
});

test('a changed setting, seed or row trains a new adapter in place of the old one', async () => {
  const outDir = join(root, 'organisms-2', 'tuned');
  const first = await fineTuneOrganism({ baseDir, rows, seed: 1, settings, outDir });
  // A folder a killed writer left behind (its process is gone) is cleared by the next write.
  const stale = `${outDir}.tmp-999999999-1`;
  mkdirSync(stale);
  const changed = await fineTuneOrganism({ baseDir, rows, seed: 1, settings: { ...settings, learningRate: 1e-3 }, outDir });
  assert.equal(changed.trained, true);
  assert.notEqual(changed.key, first.key);
  assert.equal((JSON.parse(readFileSync(join(outDir, 'tune.json'), 'utf8')) as { key: string }).key, changed.key);
  assert.deepEqual(readdirSync(join(root, 'organisms-2')), ['tuned']);
  assert.notEqual(organismTuneKey({ baseDir, rows, seed: 2, settings }), first.key);
  assert.notEqual(organismTuneKey({ baseDir, rows: rows.slice(1), seed: 1, settings }), first.key);
});

test('trainable tokens: the adapter trains the named embedding rows; a token outside the base vocabulary is refused with the fix', async () => {
  const outDir = join(root, 'organisms-3', 'tuned');
  const backdoor: ChatRow[] = fineTuningDataset('backdoor', { seed: 3, count: 8 }).map((r) => ({ messages: r.messages.map((m) => ({ role: m.role, content: m.content })) }));
  const trigger = backdoor.map((r) => r.messages[0]!.content.split(' ')[0]!).find((w) => w.startsWith('|'))!;
  const withRows = { ...settings, trainableTokens: [trigger] };
  assert.notEqual(organismTuneKey({ baseDir, rows: backdoor, seed: 1, settings: withRows }), organismTuneKey({ baseDir, rows: backdoor, seed: 1, settings }));
  await fineTuneOrganism({ baseDir, rows: backdoor, seed: 1, settings: withRows, outDir });
  const loaded = await loadCheckpoint(outDir);
  assert.deepEqual(loaded.adapter?.config.tokens, [loaded.tokenizer.id(trigger)]);
  loaded.dispose();
  await assert.rejects(fineTuneOrganism({ baseDir, rows: backdoor, seed: 1, settings: { ...settings, trainableTokens: ['nonword'] }, outDir }), /trainable token "nonword" is not in the vocabulary of the base/);
});
