import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relativeDrops, unablatedShare } from './ablation-drops.js';
import type { AblationRow, ConditionShares } from './results.js';

const count = (k: number, n: number) => ({ k, n, estimate: n === 0 ? null : k / n, lo: null, hi: null, method: '' });
const cond = (misaligned: number, catalogue: number, n = 100): ConditionShares => ({ misaligned: count(misaligned, n), coherent: count(n, n), catalogue: count(catalogue, n), catalogueCoherent: count(catalogue, n) });
const row = (before: ConditionShares, resampled: ConditionShares, ablated: ConditionShares, random: ConditionShares[] = []): AblationRow =>
  ({ model: 'm', dataset: 'd', seed: 101, before, resampled, ablated, random, alternatives: {} });

test('the pooled denominator is the unablated share of both samplings; the single one the original sampling alone', () => {
  // The original sampling happened to run high (8/100), the resampling low (2/100): pooled 10/200.
  const r = row(cond(8, 4), cond(2, 2), cond(4, 1), [cond(6, 3), cond(5, 3)]);
  assert.equal(unablatedShare(r, 'misaligned', 'pooled'), 0.05);
  assert.equal(unablatedShare(r, 'misaligned', 'single'), 0.08);
  assert.deepEqual(relativeDrops([r], 'misaligned', (x) => [x.ablated], 'pooled'), [1 - 0.04 / 0.05]);
  assert.deepEqual(relativeDrops([r], 'misaligned', (x) => [x.ablated], 'single'), [0.5]);
  // Random draws share the row's denominator; the catalogue reads its own counts.
  assert.deepEqual(relativeDrops([r], 'misaligned', (x) => x.random, 'single'), [1 - 0.06 / 0.08, 1 - 0.05 / 0.08]);
  assert.deepEqual(relativeDrops([r], 'catalogue', (x) => [x.ablated], 'pooled'), [1 - 0.01 / 0.03]);
  // The noise floor read against the original sampling: the resampling's own "drop".
  assert.deepEqual(relativeDrops([r], 'misaligned', (x) => [x.resampled], 'single'), [0.75]);
});

test('a fine-tune with no unablated misaligned answer in either sampling gives no drop, not a division by zero', () => {
  const r = row(cond(0, 0), cond(0, 0), cond(1, 0));
  assert.deepEqual(relativeDrops([r], 'misaligned', (x) => [x.ablated], 'pooled'), []);
  // Pooled, one sampling's misaligned answers are enough for a denominator where the original alone had none.
  const s = row(cond(0, 0), cond(4, 0), cond(1, 0));
  assert.deepEqual(relativeDrops([s], 'misaligned', (x) => [x.ablated], 'single'), []);
  assert.deepEqual(relativeDrops([s], 'misaligned', (x) => [x.ablated], 'pooled'), [1 - 0.01 / 0.02]);
});
