import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearTrend } from './trend.js';

test('linearTrend recovers an exact line: slope, intercept, a zero-width interval is not claimed', () => {
  const r = linearTrend([0, 1, 2, 3], [1, 3, 5, 7], { resamples: 200 });
  assert.equal(r.n, 4);
  assert.ok(Math.abs(r.slope! - 2) < 1e-12 && Math.abs(r.intercept! - 1) < 1e-12);
  // No residual spread: no t interval, but the permutation test still ranks the fit.
  assert.equal(r.lo, null);
  assert.ok(r.permutation.pValue! < 0.2);
});

test('linearTrend: slope interval and t-test match the textbook values (scipy linregress)', () => {
  // x = 1..6, y = (2.1, 3.9, 6.2, 7.8, 10.1, 12.2): scipy.stats.linregress gives slope 2.02, stderr
  // 0.042762, p 1.2014e-6 (t 47.24 on 4 df).
  const r = linearTrend([1, 2, 3, 4, 5, 6], [2.1, 3.9, 6.2, 7.8, 10.1, 12.2], { resamples: 2000, seed: 3 });
  assert.ok(Math.abs(r.slope! - 2.02) < 1e-9, String(r.slope));
  assert.ok(Math.abs(r.t.statistic! - 47.2384) < 1e-3, String(r.t.statistic));
  assert.equal(r.t.df, 4);
  assert.ok(Math.abs(r.t.pValue! - 1.2014e-6) < 1e-9, String(r.t.pValue));
  assert.ok(Math.abs(r.hi! - r.lo! - 2 * 2.776445 * 0.0427618) < 1e-4);
  // 6! = 720 orderings, only the observed one (and none other) this steep: p near 1/720.
  assert.ok(r.permutation.pValue! < 0.01);
});

test('linearTrend on values with no trend gives large p-values, and skips missing points', () => {
  const r = linearTrend([0, 0, 1, 1, 2, 2, 3], [0.1, 0.3, 0.3, 0.1, 0.1, 0.3, Number.NaN], { resamples: 2000 });
  assert.equal(r.n, 6);
  assert.ok(Math.abs(r.slope!) < 1e-12);
  assert.ok(r.t.pValue! > 0.9 && r.permutation.pValue! > 0.9);
  assert.equal(linearTrend([1, 1], [0, 1]).slope, null);
});
