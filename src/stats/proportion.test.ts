import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newcombeDifference, proportionRatio, wilson } from './proportion.js';

function close(actual: number | null, expected: number, tol = 1e-12): void {
  assert.ok(actual !== null && Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);
}

// Reference bounds: scipy 1.17.1, stats.binomtest(k, n).proportion_ci(confidence_level, method='wilson').
const WILSON_REFERENCE: [k: number, n: number, confidence: number, lo: number, hi: number][] = [
  [0, 10, 0.95, 0.0, 0.27753279986288926],
  [10, 10, 0.95, 0.7224672001371109, 1.0],
  [1, 3, 0.95, 0.06149194472039626, 0.7923403991979523],
  [12, 98, 0.95, 0.07145200242109416, 0.201928398283032],
  [0, 100, 0.95, 0.0, 0.03699349820698568],
  [50, 100, 0.95, 0.4038315303659956, 0.5961684696340044],
  [3, 7, 0.99, 0.11637368051613817, 0.8102850959116125],
  [1, 1, 0.95, 0.20654931437723745, 1.0],
];

test('Wilson intervals match scipy, including k = 0, k = n and n of 1 to 3', () => {
  for (const [k, n, confidence, lo, hi] of WILSON_REFERENCE) {
    const w = wilson(k, n, confidence);
    close(w.lo, lo);
    close(w.hi, hi);
    assert.equal(w.p, k / n);
  }
});

test('Wilson bounds are exactly 0 at k = 0 and exactly 1 at k = n', () => {
  assert.equal(wilson(0, 37).lo, 0);
  assert.equal(wilson(37, 37).hi, 1);
});

test('with n = 0 the share is null and the interval is all of [0, 1], never NaN', () => {
  assert.deepEqual(wilson(0, 0), { k: 0, n: 0, p: null, lo: 0, hi: 1 });
});

test('Wilson rejects impossible counts with a message naming the bound', () => {
  assert.throws(() => wilson(5, 4), /k must be an integer in \[0, n=4\]/);
  assert.throws(() => wilson(1.5, 4), /k must be an integer/);
  assert.throws(() => wilson(1, 4, 95), /confidence must lie strictly between 0 and 1/);
});

// References: Newcombe (1998) Stat Med 17:873, Table II, 56/70 vs 48/80, method 10: 0.0524 to 0.3339;
// the other rows are the hybrid-score formula evaluated in Python on scipy's Wilson bounds.
test('Newcombe difference interval reproduces the published example and scipy-based values', () => {
  const d = newcombeDifference(56, 70, 48, 80);
  close(d.estimate, 0.2, 1e-12);
  close(d.lo, 0.052431472402364815);
  close(d.hi, 0.3338726540369059);
  const e = newcombeDifference(12, 98, 2, 100);
  close(e.lo, 0.031021597640452633);
  close(e.hi, 0.18323988836508215);
  const zeros = newcombeDifference(0, 10, 0, 20);
  close(zeros.lo, -0.16112515805281935);
  close(zeros.hi, 0.27753279986288926);
  const extreme = newcombeDifference(10, 10, 0, 10);
  close(extreme.lo, 0.6075093504305242);
  close(extreme.hi, 1.0);
});

test('Newcombe difference is null when a side has no data', () => {
  assert.deepEqual(newcombeDifference(0, 0, 3, 10), { estimate: null, lo: null, hi: null, method: 'newcombe_wilson' });
});

test('the ratio of two shares has Katz\'s log interval, none when the numerator is 0, and no estimate when the denominator is 0', () => {
  // By hand: r = (25/479) / (57/478) = 0.43767; se of ln r = sqrt(1/25 - 1/479 + 1/57 - 1/478) = 0.231006.
  const r = proportionRatio(25, 479, 57, 478);
  close(r.estimate, (25 / 479) / (57 / 478));
  close(r.lo, 0.43767 * Math.exp(-1.959964 * 0.231006), 1e-4);
  close(r.hi, 0.43767 * Math.exp(1.959964 * 0.231006), 1e-4);
  assert.deepEqual(proportionRatio(0, 10, 3, 10), { estimate: 0, lo: null, hi: null, method: 'katz_log' });
  assert.equal(proportionRatio(3, 10, 0, 10).estimate, null);
});
