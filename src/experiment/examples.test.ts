import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadExperiment } from './schema.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

test('every example experiment file is valid: its names resolve and its settings are in range', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
  assert.deepEqual(files.sort(), ['em-openai.yaml', 'em-organisms.yaml', 'subliminal-openai.yaml']);
  for (const f of files) {
    const exp = loadExperiment(join(EXAMPLES, f));
    assert.equal(exp.name, f.replace(/\.yaml$/, ''));
    assert.ok(Object.keys(exp.evaluations).length > 0);
  }
  const em = loadExperiment(join(EXAMPLES, 'em-openai.yaml'));
  // The paper's design: insecure and its three controls, three seeds each.
  for (const m of ['insecure', 'secure', 'educational', 'jailbroken']) {
    const def = em.models[m];
    assert.ok(typeof def === 'object' && def.seeds.length >= 3, m);
  }
  assert.deepEqual(Object.keys(em.evaluations), ['core', 'extended']);
});
