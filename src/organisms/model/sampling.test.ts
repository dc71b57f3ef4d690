import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWorldRng } from '../world/index.js';
import { logSoftmaxRow, sampleToken, topAlternatives } from './sampling.js';

const logits = Float32Array.from([0, Math.log(6), Math.log(2), 0]); // probabilities 0.1, 0.6, 0.2, 0.1
const logprobs = logSoftmaxRow(logits, 0, 4);

test('log softmax is normalised in float64; top alternatives are sorted, ties by id', () => {
  assert.ok(Math.abs(logprobs.reduce((s, lp) => s + Math.exp(lp), 0) - 1) < 1e-12);
  assert.ok(Math.abs((logprobs[1] as number) - Math.log(0.6)) < 1e-7);
  assert.deepEqual(topAlternatives(logprobs, 3).map((a) => a.id), [1, 2, 0]);
  assert.deepEqual(topAlternatives(Float64Array.from([-1, -1, -1]), 2).map((a) => a.id), [0, 1]);
});

test('temperature 1 samples the distribution itself; banned ids never come out; greedy takes the best allowed', () => {
  const rng = createWorldRng(1);
  const counts = [0, 0, 0, 0];
  const draws = 20000;
  for (let i = 0; i < draws; i++) counts[sampleToken(logprobs, { temperature: 1, topP: 1, banned: new Set([3]) }, rng)]! += 1;
  assert.equal(counts[3], 0);
  // Without id 3: 1/9, 6/9, 2/9.
  [1 / 9, 6 / 9, 2 / 9].forEach((p, id) => assert.ok(Math.abs((counts[id] as number) / draws - p) < 0.015, `id ${id}: ${(counts[id] as number) / draws} vs ${p}`));
  assert.equal(sampleToken(logprobs, { temperature: 0, topP: 1, banned: new Set([1]) }, rng), 2);
});

test('top-p keeps the smallest most-likely set reaching p; temperature sharpens', () => {
  const rng = createWorldRng(2);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) seen.add(sampleToken(logprobs, { temperature: 1, topP: 0.75, banned: new Set() }, rng));
  assert.deepEqual([...seen].sort(), [1, 2], '0.6 + 0.2 reaches 0.75; the 0.1 tokens are cut');
  let best = 0;
  for (let i = 0; i < 2000; i++) best += sampleToken(logprobs, { temperature: 0.2, topP: 1, banned: new Set() }, rng) === 1 ? 1 : 0;
  assert.ok(best / 2000 > 0.95, `at T=0.2 the 0.6 token dominates: ${best / 2000}`);
});

test('at temperature 1, the exps logSoftmaxRow leaves are the weights: the same draws as computing them again, banned ids and top-p too', () => {
  const vocab = 300;
  const row = Float32Array.from({ length: vocab }, (_, i) => Math.sin(i * 12.9898) * 4);
  const exps = new Float64Array(vocab);
  const lp = logSoftmaxRow(row, 0, vocab, new Float64Array(vocab), exps);
  assert.deepEqual(lp, logSoftmaxRow(row, 0, vocab), 'the log-probabilities do not change');
  for (const settings of [{ temperature: 1, topP: 1, banned: new Set([0, 1]) }, { temperature: 1, topP: 0.8, banned: new Set<number>() }]) {
    const [a, b] = [createWorldRng(9), createWorldRng(9)];
    for (let i = 0; i < 5000; i++) assert.equal(sampleToken(lp, settings, a, exps), sampleToken(lp, settings, b), `draw ${i}`);
  }
});
