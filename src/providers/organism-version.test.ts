import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBackend, OrganismModel, saveAdapter, saveCheckpoint } from '../organisms/model/index.js';
import { organismCheckpointVersion } from './organism-version.js';
import { parseModelId } from './model-id.js';
import { OrganismProvider } from './organism.js';
import { ProviderError } from './errors.js';

const TINY = { dModel: 16, layers: 1, heads: 2, context: 256 };
let root: string;

before(async () => {
  await ensureBackend();
  root = mkdtempSync(join(tmpdir(), 'emlab-organism-version-'));
});

after(() => rmSync(root, { recursive: true, force: true }));

async function saveBase(dir: string, seed: number): Promise<OrganismModel> {
  const model = await OrganismModel.create({ seed, architecture: TINY });
  await saveCheckpoint(model, dir);
  return model;
}

test('a base checkpoint: the same files give the same version wherever they lie; other weights under the same folder another', async () => {
  const dir = join(root, 'base');
  (await saveBase(dir, 1)).dispose();
  const v1 = organismCheckpointVersion(dir);
  assert.match(v1, /^[0-9a-f]{64}$/);
  assert.equal(organismCheckpointVersion(dir), v1);
  cpSync(dir, join(root, 'copy'), { recursive: true });
  assert.equal(organismCheckpointVersion(join(root, 'copy')), v1, 'the version is of the content, not of the path');

  (await saveBase(dir, 2)).dispose();
  assert.notEqual(organismCheckpointVersion(dir), v1);
});

test('a file rewritten in place with other bytes of the same size is hashed again, not served from the per-process cache', async () => {
  const dir = join(root, 'in-place');
  (await saveBase(dir, 3)).dispose();
  const before = organismCheckpointVersion(dir);
  const path = join(dir, 'model.safetensors');
  const bytes = readFileSync(path);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
  writeFileSync(path, bytes);
  assert.notEqual(organismCheckpointVersion(dir), before);
});

test('an adapter\'s version covers its base: the same adapter files on a rebuilt base are another model', async () => {
  const baseDir = join(root, 'lora-base');
  const model = await saveBase(baseDir, 4);
  model.attachLora({ seed: 1, rank: 2, alpha: 4 });
  const adapterDir = join(root, 'lora');
  await saveAdapter(model, adapterDir);
  model.dispose();
  const v1 = organismCheckpointVersion(adapterDir);
  assert.notEqual(v1, organismCheckpointVersion(baseDir));

  (await saveBase(baseDir, 5)).dispose();
  assert.notEqual(organismCheckpointVersion(adapterDir), v1);
});

test('the provider carries its checkpoint\'s version, and a folder it cannot read is a not_found error at once', async () => {
  const dir = join(root, 'served');
  (await saveBase(dir, 6)).dispose();
  const ref = parseModelId('organism:served');
  if (ref.scheme !== 'organism') throw new Error('unreachable');
  const provider = new OrganismProvider(ref, dir);
  assert.equal(provider.version, organismCheckpointVersion(dir));
  await provider.close();

  rmSync(join(dir, 'model.safetensors'));
  assert.throws(() => new OrganismProvider(ref, dir), (err: unknown) => err instanceof ProviderError && err.kind === 'not_found' && /organism:served: cannot read the checkpoint/.test(err.message));
});
