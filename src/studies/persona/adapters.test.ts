import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolve } from 'node:path';
import { datasetAdapters, mixAdapters } from './adapters.js';
import { PERSONA_SETTINGS } from './config.js';
import { seedsOf } from '../demo/config.js';

const dirs = { baseDir: resolve('assets/organisms/base'), organismsDir: '/tmp/organisms' };

test('the 0% and 100% mixes are the demo\'s good- and bad-medical adapters; the others mix the same rows in order', () => {
  const mixes = mixAdapters([0, 0.1, 1], [1], dirs);
  const [good] = datasetAdapters(['good-medical'], [1], dirs);
  const [bad] = datasetAdapters(['bad-medical'], [1], dirs);
  assert.equal(mixes[0]!.job.outDir, good!.job.outDir);
  assert.equal(mixes[2]!.job.outDir, bad!.job.outDir);
  const mix = mixes[1]!;
  assert.equal(mix.group, 'mix-0.1');
  assert.equal(mix.job.rows.length, bad!.job.rows.length);
  assert.deepEqual(mix.job.rows.slice(0, 50), bad!.job.rows.slice(0, 50));
  assert.deepEqual(mix.job.rows.slice(50), good!.job.rows.slice(50));
  assert.match(mix.name, /^persona-mix100-s1-[0-9a-f]{8}$/);
  // Matched by seed: every fraction's fine-tune of a seed starts from the same initialisation and row order.
  assert.deepEqual(mixes.map((m) => [m.fraction, m.seed, m.job.seed]), [[0, 1, 1], [0.1, 1, 1], [1, 1, 1]]);
});

test('the full study\'s fine-tunes are on report seeds, apart from every development seed; --quick stays on development seed 1', () => {
  const full = PERSONA_SETTINGS.full.seeds;
  assert.deepEqual(full, seedsOf('report', 3));
  for (const s of full) assert.ok(!seedsOf('development', 100).includes(s), `seed ${s} is a development seed`);
  assert.deepEqual(PERSONA_SETTINGS.quick.seeds, seedsOf('development', 1));
  // The row-drop retraining and the EM adapters share these seeds, so the bad-medical EM adapters are the 100% mixes of the same seeds.
  const [bad] = datasetAdapters(['bad-medical'], [full[0]!], dirs);
  assert.ok(mixAdapters([1], PERSONA_SETTINGS.full.mixSeeds, dirs).some((m) => m.job.outDir === bad!.job.outDir));
});
