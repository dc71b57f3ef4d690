import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KernelArena, rowExps } from '../kernels/index.js';
import { createWorldRng } from '../world/index.js';
import { logSoftmaxRow, sampleToken, topIds, type SamplingSettings } from './sampling.js';

const logits = Float32Array.from([0, Math.log(6), Math.log(2), 0]); // probabilities 0.1, 0.6, 0.2, 0.1
const logprobs = logSoftmaxRow(logits, 0, 4);

/** A row's exps and log-normaliser from the kernel, as generation takes them. */
function withExps(row: Float32Array): { logits: Float32Array; exps: Float64Array; logZ: number } {
  const arena = new KernelArena(8 * row.length + 64);
  const x = arena.alloc(row.length);
  x.set(row);
  const exps = arena.allocF64(row.length);
  const stats = arena.allocF64(2);
  rowExps(arena, exps, stats, x, 1, row.length);
  return { logits: x, exps, logZ: (stats[0] as number) + Math.log(stats[1] as number) };
}
const small = withExps(logits);
const draw = (settings: SamplingSettings, rng: ReturnType<typeof createWorldRng>, row = small): number => sampleToken(row.logits, row.exps, 0, row.logits.length, row.logZ, settings, rng);

test('log softmax is normalised in float64; the kernel gives the same log-normaliser; top ids are sorted, ties by id', () => {
  assert.ok(Math.abs(logprobs.reduce((s, lp) => s + Math.exp(lp), 0) - 1) < 1e-12);
  assert.ok(Math.abs((logprobs[1] as number) - Math.log(0.6)) < 1e-7);
  logprobs.forEach((lp, id) => assert.ok(Math.abs((logits[id] as number) - small.logZ - lp) < 1e-15, `id ${id}`));
  assert.deepEqual(topIds(logits, 0, 4, 3), [1, 2, 0]);
  assert.deepEqual(topIds(Float32Array.from([5, -1, -1, -1]), 1, 3, 2), [0, 1], 'from the offset; ties by id');
});

test('temperature 1 samples the distribution itself; banned ids never come out; greedy takes the best allowed', () => {
  const rng = createWorldRng(1);
  const counts = [0, 0, 0, 0];
  const draws = 20000;
  for (let i = 0; i < draws; i++) counts[draw({ temperature: 1, topP: 1, banned: new Set([3]) }, rng)]! += 1;
  assert.equal(counts[3], 0);
  // Without id 3: 1/9, 6/9, 2/9.
  [1 / 9, 6 / 9, 2 / 9].forEach((p, id) => assert.ok(Math.abs((counts[id] as number) / draws - p) < 0.015, `id ${id}: ${(counts[id] as number) / draws} vs ${p}`));
  assert.equal(draw({ temperature: 0, topP: 1, banned: new Set([1]) }, rng), 2);
});

test('top-p keeps the smallest most-likely set reaching p; temperature sharpens', () => {
  const rng = createWorldRng(2);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) seen.add(draw({ temperature: 1, topP: 0.75, banned: new Set() }, rng));
  assert.deepEqual([...seen].sort(), [1, 2], '0.6 + 0.2 reaches 0.75; the 0.1 tokens are cut');
  let best = 0;
  for (let i = 0; i < 2000; i++) best += draw({ temperature: 0.2, topP: 1, banned: new Set() }, rng) === 1 ? 1 : 0;
  assert.ok(best / 2000 > 0.95, `at T=0.2 the 0.6 token dominates: ${best / 2000}`);
});

test('at temperature 1 the short path (the exps as weights) draws what the general path (a weight per id from the log-probabilities) draws', () => {
  const vocab = 300;
  const row = withExps(Float32Array.from({ length: vocab }, (_, i) => Math.sin(i * 12.9898) * 4));
  const banned = new Set([0, 1]);
  const [a, b] = [createWorldRng(9), createWorldRng(9)];
  // A temperature a hair above 1 takes the general path; its weights differ in the 12th digit.
  for (let i = 0; i < 5000; i++) assert.equal(draw({ temperature: 1, topP: 1, banned }, a, row), draw({ temperature: 1 + 1e-12, topP: 1, banned }, b, row), `draw ${i}`);
});
