import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARMS, formatTable, summarise, type Arm, type SeedRecord } from './results.js';
import type { OwlRate } from './measure.js';

function rate(forced: number): OwlRate {
  return { sampled: forced, sampledHeldOut: forced, samples: 10, prompts: 5, noAnimal: 0, forced, forcedHeldOut: forced };
}

function seed(seed: number, sameShift: number): SeedRecord {
  const rates = Object.fromEntries(ARMS.map((a) => [a, rate(0.3)])) as Record<Arm, OwlRate>;
  rates['student-same'] = rate(0.3 + sameShift);
  return {
    seed, trainRows: 10, owlNumberShare: { owl: 0.05, control: 0.05 }, rates, finalLoss: {},
    filter: { owl: { total: 12, kept: 10, rejected: { bad_format: 2 } }, control: { total: 12, kept: 11, rejected: { no_numbers: 1 } } },
  };
}

test('summarise pairs each student with its control seed by seed and calls transfer only when the interval clears 0', () => {
  const moved = summarise([seed(1, 0.05), seed(2, 0.06), seed(3, 0.04)]);
  assert.ok(Math.abs(moved.paired[0]!.forcedSummary.mean - 0.05) < 1e-12);
  assert.deepEqual(moved.paired[1]!.forced, [0, 0, 0]);
  assert.equal(moved.verdict.sameInitTransfer, true);
  assert.equal(moved.verdict.otherInitTransfer, false);
  const noisy = summarise([seed(1, 0.05), seed(2, -0.04), seed(3, 0.01)]);
  assert.equal(noisy.verdict.sameInitTransfer, false);
  const one = summarise([seed(1, 0.05)]);
  assert.equal(one.paired[0]!.forcedSummary.low, null);
  assert.equal(one.verdict.sameInitTransfer, false);
});

test('formatTable names every arm and the filter totals', () => {
  const perSeed = [seed(1, 0.01), seed(2, 0.02)];
  const text = formatTable({
    format: 'emlab.organism-subliminal/1', quick: false, seeds: [1, 2], settings: {}, ...summarise(perSeed), perSeed,
    timing: { wallSeconds: 1, cpuSeconds: 2, workers: 2, adaptersTrained: 10 }, environment: { node: 'v20', cpus: 2, cpuModel: 'x' }, startedAt: '', finishedAt: '',
  });
  for (const label of ['base (init A)', 'teacher', 'control, other init']) assert.ok(text.includes(label), label);
  assert.match(text, /owl teacher 20\/24, control 22\/24/);
});
