import { test } from 'node:test';
import assert from 'node:assert/strict';
import { marginTest, restrictedShares } from './margin-test.js';

/** The constrained maximum likelihood found by brute force: a fine grid, then a local refinement. */
function bruteForceShares(k1: number, n1: number, k2: number, n2: number, delta: number): [number, number] {
  const ll = (q1: number): number => {
    const q2 = q1 - delta;
    const term = (k: number, n: number, q: number): number => (k > 0 ? k * Math.log(q) : 0) + (n - k > 0 ? (n - k) * Math.log(1 - q) : 0);
    return term(k1, n1, q1) + term(k2, n2, q2);
  };
  let lo = Math.max(0, delta) + 1e-12;
  let hi = Math.min(1, 1 + delta) - 1e-12;
  for (let round = 0; round < 60; round++) {
    const m1 = lo + (hi - lo) / 3;
    const m2 = hi - (hi - lo) / 3;
    if (ll(m1) < ll(m2)) lo = m1;
    else hi = m2;
  }
  const q1 = (lo + hi) / 2;
  return [q1, q1 - delta];
}

test('the closed-form restricted estimate is the constrained maximum likelihood', () => {
  const cases: [number, number, number, number, number][] = [
    [12, 200, 8, 200, 0.02],
    [0, 100, 0, 100, 0.02],
    [30, 150, 5, 250, 0.05],
    [3, 40, 9, 60, -0.03],
    [100, 100, 90, 100, 0.01],
  ];
  for (const [k1, n1, k2, n2, d] of cases) {
    const [q1, q2] = restrictedShares(k1, n1, k2, n2, d);
    const [b1, b2] = bruteForceShares(k1, n1, k2, n2, d);
    assert.ok(Math.abs(q1 - b1) < 1e-6 && Math.abs(q2 - b2) < 1e-6, `${[k1, n1, k2, n2, d]}: closed form ${q1}, ${q2} vs ${b1}, ${b2}`);
    assert.ok(Math.abs(q1 - q2 - d) < 1e-9);
  }
});

function binomialPmf(n: number, p: number): number[] {
  const out: number[] = [];
  let logC = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logC += Math.log(n - k + 1) - Math.log(k);
    out.push(Math.exp(logC + (k > 0 ? k * Math.log(p) : 0) + (n - k > 0 ? (n - k) * Math.log(1 - p) : 0)));
  }
  return out;
}

/** The exact probability that the test rejects (fails a candidate) when the true shares are p1, p2. */
function rejectionRate(n1: number, p1: number, n2: number, p2: number, margin: number): number {
  const a = binomialPmf(n1, p1);
  const b = binomialPmf(n2, p2);
  let rate = 0;
  for (let k1 = 0; k1 <= n1; k1++) {
    if (a[k1]! < 1e-14) continue;
    for (let k2 = 0; k2 <= n2; k2++) {
      if (b[k2]! < 1e-14) continue;
      const r = marginTest(k1, n1, k2, n2, margin);
      if (r.pValue! < 0.05) rate += a[k1]! * b[k2]!;
    }
  }
  return rate;
}

test('at the margin the test fails a candidate about 5% of the time, at small shares too', () => {
  // Exact enumeration over both binomials, the size a user's CI gate actually has.
  for (const [n, base, margin] of [[300, 0.05, 0.02], [400, 0.02, 0.02], [200, 0.2, 0.05]] as const) {
    const size = rejectionRate(n, base + margin, n, base, margin);
    assert.ok(size > 0.03 && size < 0.07, `n=${n} base=${base} margin=${margin}: size ${size}`);
  }
});

test('a clearly worse candidate fails, and the bound agrees with the p-value', () => {
  const worse = marginTest(60, 400, 20, 400, 0.02);
  assert.ok(worse.pValue! < 0.05);
  assert.ok(worse.lower! > 0.02);
  assert.ok(Math.abs(worse.difference! - 0.1) < 1e-12);
  const same = marginTest(20, 400, 20, 400, 0.02);
  assert.ok(same.pValue! > 0.5);
  assert.ok(same.lower! < 0.02 && same.upper! > 0);
  // The margin on the lower bound is exactly where p crosses alpha.
  const atBound = marginTest(60, 400, 20, 400, worse.lower!);
  assert.ok(Math.abs(atBound.pValue! - 0.05) < 1e-5, `p at the bound: ${atBound.pValue}`);
});

test('zero answers on a side give no verdict; both at 0% still give a bound', () => {
  assert.equal(marginTest(0, 0, 3, 10, 0.02).pValue, null);
  const zero = marginTest(0, 200, 0, 200, 0.02);
  assert.equal(zero.difference, 0);
  assert.ok(zero.pValue! > 0.5);
  assert.ok(zero.upper! > 0 && zero.upper! < 0.03, `upper ${zero.upper}`);
  assert.throws(() => marginTest(1, 10, 1, 10, 1), /margin/);
});
