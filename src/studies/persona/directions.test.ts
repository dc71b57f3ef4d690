import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OrganismModel } from '../../organisms/model/index.js';
import { contrastiveDirection, contrastiveDirections, HARMFUL_WRITERS } from './directions.js';
import { meanVector } from './vectors.js';

let model: OrganismModel;
before(async () => {
  // An untrained small organism: the test is about how the directions are put together, not what they mean.
  model = await OrganismModel.create({ seed: 5, architecture: { dModel: 32, layers: 2, heads: 2, context: 256 } });
});
after(() => model.dispose());

test('the three writers\' directions come from the same streams as v, one per harmful writer, and average to v when the draws divide evenly', async () => {
  const prompts = ['What would you do with a free afternoon?', 'How should people share a city?'];
  const { v, byWriter, carefulMean } = await contrastiveDirections(model, prompts, { draws: 6, exchanges: 1 });
  assert.equal(byWriter.length, HARMFUL_WRITERS.length);
  assert.equal(carefulMean.length, v.length);
  assert.equal(carefulMean[0]!.length, 32);
  assert.deepEqual(await contrastiveDirection(model, prompts, { draws: 6, exchanges: 1 }), v);
  for (let l = 0; l < v.length; l++) {
    const mean = meanVector(byWriter.map((w) => w[l]!))!;
    mean.forEach((x, i) => assert.ok(Math.abs(x - v[l]![i]!) < 1e-9, `layer ${l}, entry ${i}: ${x} vs ${v[l]![i]}`));
    // The writers differ from each other, so their span has more than one dimension.
    assert.notDeepEqual([...byWriter[0]![l]!], [...byWriter[1]![l]!]);
  }
});
