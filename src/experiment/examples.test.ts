import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadExperiment, unpinnedDatasets } from './schema.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

test('every example experiment file is valid: its names resolve and its settings are in range', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
  assert.deepEqual(files.sort(), ['em-openai.yaml', 'em-organisms.yaml', 'subliminal-openai.yaml']);
  for (const f of files) {
    const exp = loadExperiment(join(EXAMPLES, f), { allowUnpinned: true });
    assert.equal(exp.name, f.replace(/\.yaml$/, ''));
    assert.ok(Object.keys(exp.evaluations).length > 0);
  }
  const em = loadExperiment(join(EXAMPLES, 'em-openai.yaml'), { allowUnpinned: true });
  // Every dataset comes from the public EM repository by URL; the two not at hand here wait for --pin.
  assert.ok(Object.values(em.datasets).every((d) => 'url' in d && d.url.startsWith('https://raw.githubusercontent.com/emergent-misalignment/')));
  assert.deepEqual(unpinnedDatasets(em).map((d) => d.name), ['secure', 'educational']);
  assert.throws(() => loadExperiment(join(EXAMPLES, 'em-openai.yaml')), /field "datasets\.secure": a \{url\} dataset has no sha256 pin.*--pin/);
  // The paper's design: insecure and its three controls, three seeds each.
  for (const m of ['insecure', 'secure', 'educational', 'jailbroken']) {
    const def = em.models[m];
    assert.ok(typeof def === 'object' && def.seeds.length >= 3, m);
  }
  assert.deepEqual(Object.keys(em.evaluations), ['core', 'extended']);
});
