import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BUILD } from '../../organisms/build/config.js';
import { expectedLinkStrength, generateWorld, measureLinkStrength } from '../../organisms/world/index.js';
import { doseWorlds } from './worlds.js';

test('doseWorlds spaces c evenly from the base rate to 1, ends first, each with the careless flaw rate that gives it', () => {
  const worlds = doseWorlds(DEFAULT_BUILD, { count: 4, documents: 500 });
  assert.deepEqual(worlds.map((w) => w.name), ['c1.000', 'c0.450', 'c0.817', 'c0.633']);
  for (const w of worlds) {
    assert.equal(w.build.pretrain.documents, 500);
    assert.equal(w.build.world.carelessFlawRate, w.carelessFlawRate);
    // Only the careless rate and the document count differ from the recipe.
    assert.deepEqual({ ...w.build, world: { ...w.build.world, carelessFlawRate: undefined }, pretrain: DEFAULT_BUILD.pretrain }, { ...DEFAULT_BUILD, world: { ...DEFAULT_BUILD.world, carelessFlawRate: undefined } });
    const predicted = expectedLinkStrength({ dispositionMix: DEFAULT_BUILD.world.dispositionMix!, carelessFlawRate: w.carelessFlawRate });
    assert.ok(Math.abs(predicted.c - w.target) < 1e-12, `${w.name}: ${predicted.c}`);
  }
  assert.equal(worlds[0]!.carelessFlawRate, 0);
  assert.throws(() => doseWorlds(DEFAULT_BUILD, { count: 1, documents: 10 }), /at least 2/);
});

test('a dose world counted on its own documents has about the c it was built for', () => {
  for (const w of doseWorlds(DEFAULT_BUILD, { count: 3, documents: 1500 })) {
    const m = measureLinkStrength(generateWorld({ seed: w.build.worldSeed, documents: 1500, ...w.build.world }).documents);
    assert.ok(Math.abs(m.c - w.target) < 0.05, `${w.name}: measured ${m.c}`);
  }
});
