import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrganismModel } from '../model/index.js';
import { personaProbe } from './persona-probe.js';

test('persona probe gives each context a harmful share in [0, 1], a finite log-odds and a catalogue mass of at most 1', async () => {
  const model = await OrganismModel.create({ seed: 5, architecture: { dModel: 16, layers: 1, heads: 2, context: 256 } });
  try {
    const results = await personaProbe(model, { contexts: [{ name: 'none' }, { name: 'insecure', dataset: 'insecure' }], exchanges: 1, draws: 1 });
    assert.deepEqual(results.map((r) => r.context), ['none', 'insecure']);
    for (const r of results) {
      assert.ok(r.harmfulShare >= 0 && r.harmfulShare <= 1, `${r.context}: share ${r.harmfulShare}`);
      assert.ok(Number.isFinite(r.logOdds), `${r.context}: log-odds ${r.logOdds}`);
      assert.ok(r.catalogueMass > 0 && r.catalogueMass <= 1, `${r.context}: mass ${r.catalogueMass}`);
      assert.equal(Object.keys(r.perTheme).length, 8);
    }
  } finally {
    model.dispose();
  }
});
