import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateWorld } from '../world/index.js';
import { loadCheckpoint, saveAdapter, saveCheckpoint } from './checkpoint.js';
import { parameterCount } from './config.js';
import { OrganismModel } from './organism.js';
import { sequenceLogits } from './score.js';
import { trainModel } from './train.js';

const TINY = { dModel: 32, layers: 2, heads: 2, context: 96 } as const;
const root = mkdtempSync(join(tmpdir(), 'emlab-organism-'));
after(() => rmSync(root, { recursive: true, force: true }));
const docs = generateWorld({ seed: 4, documents: 8, turnsPerDocument: { min: 1, max: 1 } }).documents.map((d) => ({ text: d.text }));

test('a saved and reloaded base gives bit-identical logits, vocabulary and history; the config records the file hash', async () => {
  const model = await OrganismModel.create({ seed: 5, architecture: TINY });
  await trainModel(model, docs, { seed: 2, maxSteps: 2, batchTokens: 512 });
  const dir = join(root, 'base');
  const { weightsHash } = await saveCheckpoint(model, dir);
  assert.equal(weightsHash, createHash('sha256').update(readFileSync(join(dir, 'model.safetensors'))).digest('hex'));
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { architecture: unknown; provenance: { parent: unknown; training: { dataHash: string }[] } };
  assert.deepEqual(config.architecture, model.config);
  assert.equal(config.provenance.parent, null);
  assert.match(config.provenance.training[0]?.dataHash ?? '', /^[0-9a-f]{64}$/);
  const loaded = await loadCheckpoint(dir);
  const probe = model.tokenizer.encodeTranscript((docs[0] as { text: string }).text).ids;
  assert.deepEqual(Buffer.from((await sequenceLogits(loaded, probe)).buffer), Buffer.from((await sequenceLogits(model, probe)).buffer));
  assert.deepEqual(loaded.tokenizer.vocab, model.tokenizer.vocab);
  assert.deepEqual(loaded.provenance, model.provenance);
  assert.equal(loaded.weightsHash(), weightsHash);

  // Training the loaded model and saving it makes the loaded file its parent.
  await trainModel(loaded, docs, { seed: 3, maxSteps: 1, batchTokens: 512 });
  const child = join(root, 'child');
  await saveCheckpoint(loaded, child);
  const childConfig = JSON.parse(readFileSync(join(child, 'config.json'), 'utf8')) as { provenance: { parent: string; training: unknown[] } };
  assert.equal(childConfig.provenance.parent, weightsHash);
  assert.equal(childConfig.provenance.training.length, 2);
  model.dispose();
  loaded.dispose();
});

test('a LoRA adapter is saved on its own, names its base by hash, and reloads with the base to the same logits', async () => {
  const base = await OrganismModel.create({ seed: 6, architecture: TINY });
  const baseDir = join(root, 'lora-base');
  const { weightsHash } = await saveCheckpoint(base, baseDir);
  // With one trainable embedding row, so that the round trip covers the token delta too.
  base.attachLora({ seed: 3, rank: 2, alpha: 4, targets: ['attn.wq', 'attn.wv', 'mlp.w1'], tokens: [base.tokenizer.id('hey')], tokenScale: 4 });
  await trainModel(base, docs.map((d) => ({ messages: [{ role: 'user' as const, content: 'hey' }, { role: 'assistant' as const, content: d.text.split('\n')[1]?.slice('assistant: '.length) ?? '' }] })), { seed: 1, maxSteps: 3, batchTokens: 512 });
  const adapterDir = join(root, 'adapter');
  const saved = await saveAdapter(base, adapterDir);
  assert.equal(saved.baseHash, weightsHash);
  const adapterConfig = JSON.parse(readFileSync(join(adapterDir, 'adapter.json'), 'utf8')) as { base: { sha256: string; path: string } };
  assert.deepEqual(adapterConfig.base, { sha256: weightsHash, path: '../lora-base' });
  assert.ok(statSync(join(adapterDir, 'adapter.safetensors')).size < statSync(join(baseDir, 'model.safetensors')).size / 4);

  const reloaded = await loadCheckpoint(adapterDir);
  const probe = base.tokenizer.encodeTranscript((docs[1] as { text: string }).text).ids;
  const want = await sequenceLogits(base, probe);
  const got = await sequenceLogits(reloaded, probe);
  assert.deepEqual(Buffer.from(got.buffer), Buffer.from(want.buffer));
  assert.equal(reloaded.adapterProvenance?.training.length, 1);
  assert.deepEqual([reloaded.adapter?.config.tokens, reloaded.adapter?.config.tokenScale], [[base.tokenizer.id('hey')], 4]);

  // Another base cannot take this adapter.
  const stranger = await OrganismModel.create({ seed: 7, architecture: TINY });
  await assert.rejects(loadCheckpoint(adapterDir, { base: stranger }), /the adapter was trained on base weights [0-9a-f]{64}, this base is [0-9a-f]{64}; load the base checkpoint it names/);
  for (const m of [base, reloaded, stranger]) m.dispose();
});

test('the default organism is a few MB on disk', () => {
  const bytes = parameterCount({ vocabSize: 1250, dModel: 128, layers: 4, heads: 4, context: 256, mlpHidden: 512 }) * 4;
  assert.ok(bytes < 5 * 1024 * 1024, `${bytes} bytes`);
});

test('edited or malformed checkpoints fail with the file, the field and the fix', async () => {
  const model = await OrganismModel.create({ seed: 8, architecture: TINY });
  const dir = join(root, 'broken');
  await saveCheckpoint(model, dir);
  model.dispose();
  const weights = readFileSync(join(dir, 'model.safetensors'));
  weights[weights.length - 1] = (weights[weights.length - 1] as number) ^ 1;
  writeFileSync(join(dir, 'model.safetensors'), weights);
  await assert.rejects(loadCheckpoint(dir), /model\.safetensors: sha256 is [0-9a-f]{64} but the config records [0-9a-f]{64}; the file was changed/);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { architecture: { heads: unknown } };
  config.architecture.heads = 'four';
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  await assert.rejects(loadCheckpoint(dir), /config\.json: field architecture\.heads: /);
  await assert.rejects(loadCheckpoint(join(root, 'nowhere')), /not an organism checkpoint \(neither config\.json nor adapter\.json is there\)/);
});
