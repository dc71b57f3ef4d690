import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../stats/index.js';
import { earlyWarning, type MixPoint } from './early-warning.js';

const FRACTIONS = [0, 0.05, 0.1, 0.25, 0.5, 1];
/** What each seed does to every fraction alike (its initialisation and row order), much larger than 5% bad does. */
const SEED_EFFECT = [0, 0.5, -0.4, 0.9, -0.7, 0.2];
/** Noise of one fine-tune's reading, +-0.01. */
const wobble = (s: number, i: number): number => 0.02 * (createRng(100 * s + i).next() - 0.5);

function points(opts: { zero?: boolean } = {}): MixPoint[] {
  return FRACTIONS.filter((f) => opts.zero !== false || f > 0).flatMap((f, i) => SEED_EFFECT.map((e, s) => ({
    fraction: f, seed: s + 1, model: `mix-${f}-s${s + 1}`,
    values: {
      // The share moves only from 25%; seed 3 has no judged answer at 10%.
      misaligned: f === 0.1 && s === 2 ? null : 0.02 + (f >= 0.25 ? 0.1 * f : 0) + wobble(s, i) / 10,
      catalogue: 0.01 + wobble(s, i) / 10,
      projection: 0.5 + e + 2 * f + wobble(s, i),
      lastPosition: 0.5 + e + wobble(s, i),
    },
  })));
}

test('the early warning compares each fraction with 0% paired by seed: a shift every seed shows is found under a seed spread that hides it from Welch', () => {
  const ew = earlyWarning(points(), FRACTIONS, 'test');
  assert.deepEqual(ew.seeds, [1, 2, 3, 4, 5, 6]);
  assert.equal(ew.perSeed.length, 36);
  const five = ew.fractions[1]!.vsZero!.projection;
  assert.ok(Math.abs(five.difference.estimate! - 0.1) < 0.02, String(five.difference.estimate));
  assert.ok(five.pPaired! < 0.01 && five.pWelch! > 0.5, `${five.pPaired} ${five.pWelch}`);
  assert.equal(ew.lowest.projection, 0.05);
  assert.ok(ew.lowestWelch.projection === null || ew.lowestWelch.projection >= 0.5, String(ew.lowestWelch.projection));
  assert.equal(ew.lowestStepDown.projection, 0.05);
  // The trend is the slope each seed shows (2 per unit fraction), over seeds.
  assert.ok(Math.abs(ew.trend.projection.slope.estimate! - 2) < 0.05 && ew.trend.projection.pValue! < 1e-6);
  assert.equal(ew.trend.projection.slope.n, 6);
  // A measure the mixes do not move: no trend, and the step-down trend test, which controls the
  // family-wise error, finds no fraction; five uncorrected tests at 0.05 flag one here by chance.
  assert.equal(ew.lowestStepDown.lastPosition, null);
  assert.equal(ew.lowest.lastPosition, 0.5);
  assert.ok(ew.fractions[4]!.vsZero!.lastPosition.pPaired! > 0.04);
  assert.ok(ew.trend.lastPosition.pValue! > 0.05);
  // The share from 25%; a seed without a value drops out of that fraction's pairs only.
  assert.equal(ew.lowest.misaligned, 0.25);
  assert.equal(ew.fractions[2]!.vsZero!.misaligned.difference.n, 5);
  assert.equal(ew.fractions[2]!.values.misaligned.n, 5);
  assert.equal(ew.fractions[0]!.vsZero, null);
  // Means over seeds carry their interval.
  const zero = ew.fractions[0]!.values.projection;
  assert.ok(zero.lo! < zero.estimate! && zero.estimate! < zero.hi!);
});

test('without a 0% mix there is nothing to compare with', () => {
  const ew = earlyWarning(points({ zero: false }), FRACTIONS.slice(1), 'test');
  assert.ok(ew.fractions.every((f) => f.vsZero === null));
  assert.equal(ew.lowest.projection, null);
  assert.equal(ew.lowestStepDown.projection, null);
  assert.ok(ew.trend.projection.slope.estimate !== null);
});
