import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fisherExact, holmAdjust, permutationTest, welchTTest } from './compare.js';

// Reference p-values: scipy 1.17.1, stats.fisher_exact(table, alternative='two-sided').
const FISHER_REFERENCE: [table: [number, number, number, number], p: number][] = [
  [[3, 1, 1, 3], 0.48571428571428565],
  [[0, 10, 5, 5], 0.032507739938080496],
  [[12, 86, 2, 98], 0.0052274124080453335],
  [[8, 2, 1, 5], 0.034965034965034975],
  [[120, 880, 95, 905], 0.08298330663021403],
  [[5, 5, 5, 5], 1.0],
  [[0, 5, 0, 7], 1.0],
  [[7, 0, 0, 9], 8.741258741258743e-5],
];

test("Fisher's exact two-sided p-values match scipy", () => {
  for (const [[a, b, c, d], p] of FISHER_REFERENCE) {
    const r = fisherExact(a, a + b, c, c + d);
    assert.ok(Math.abs(r.pValue - p) <= 1e-9 * Math.max(p, 1e-3), `table ${[a, b, c, d]}: ${r.pValue} vs ${p}`);
  }
});

test('Fisher odds ratio is null where it would be 0/0 or infinite', () => {
  assert.equal(fisherExact(3, 4, 1, 4).oddsRatio, 9);
  assert.equal(fisherExact(0, 5, 0, 7).oddsRatio, null);
  assert.equal(fisherExact(7, 7, 0, 9).oddsRatio, null);
});

// References: brute-force enumeration in Python (itertools.combinations over the pooled values,
// counting |mean difference| >= observed): 2 of 20 relabellings and 13 of 126.
test('exact permutation test counts every relabelling as extreme as the observed one', () => {
  const three = permutationTest([0.2, 0.25, 0.3], [0.01, 0.0, 0.02]);
  assert.equal(three.method, 'exact');
  assert.equal(three.permutations, 20);
  assert.ok(Math.abs(three.pValue - 0.1) < 1e-12);
  // The most extreme split and its mirror: 2 of 20 is the floor of this design.
  assert.equal(three.smallestPossiblePValue, 0.1);
  const uneven = permutationTest([0.2, 0.05, 0.3, 0.12], [0.01, 0.15, 0.02, 0.04, 0.08]);
  assert.equal(uneven.permutations, 126);
  assert.ok(Math.abs(uneven.pValue - 0.10317460317460317) < 1e-12);
  assert.equal(uneven.smallestPossiblePValue, 1 / 126);
});

test('Monte Carlo permutation test is reproducible by seed and close to the exact p-value', () => {
  const x = [0.2, 0.05, 0.3, 0.12];
  const y = [0.01, 0.15, 0.02, 0.04, 0.08];
  const a = permutationTest(x, y, { maxExact: 10, resamples: 20000, seed: 7 });
  const b = permutationTest(x, y, { maxExact: 10, resamples: 20000, seed: 7 });
  assert.equal(a.method, 'monte_carlo');
  assert.equal(a.pValue, b.pValue);
  assert.ok(Math.abs(a.pValue - 0.10317460317460317) < 0.01, `${a.pValue}`);
  const identical = permutationTest([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], { maxExact: 10, resamples: 500 });
  assert.equal(identical.pValue, 1);
});

// Reference, by hand: sorted 0.01, 0.03, 0.04, 0.5 times 4, 3, 2, 1 = 0.04, 0.09, 0.08, 0.5; running max
// gives 0.04, 0.09, 0.09, 0.5 (what R's p.adjust(..., "holm") defines; re-checked in Python).
test('Holm adjustment steps down with a running maximum and skips missing p-values', () => {
  const adjusted = holmAdjust([0.01, null, 0.04, 0.03, 0.5]);
  const expected = [0.04, null, 0.09, 0.09, 0.5];
  adjusted.forEach((p, i) => {
    const e = expected[i];
    if (e === null) assert.equal(p, null);
    else assert.ok(p !== null && p !== undefined && Math.abs(p - e!) < 1e-12, `${p} vs ${e}`);
  });
});

// References: scipy 1.17.1, stats.ttest_ind(x, y, equal_var=False) and its confidence_interval(0.95).
const WELCH_REFERENCE: [x: number[], y: number[], t: number, p: number, df: number, lo: number, hi: number][] = [
  [[10.0, 6.9, 11.3], [0.6, 1.9, 1.9], 5.768955370208263, 0.017913325359724827, 2.4356706535219557, 2.9234046565084117, 12.943262010158255],
  [[0.1, 0.3, 0.2, 0.25], [0.05, 0.1], 2.779101339519513, 0.04987276093963157, 3.99939649969825, 0.00012324563681576084, 0.27487675436318426],
  [[1, 2, 3, 4, 5], [2, 4, 6, 8, 10, 12], -2.3763541031440183, 0.04928433820673053, 6.972255729794934, -7.98346869562883, -0.016531304371169675],
];

test("Welch's t-test and interval match scipy, where 3 seeds a side reach p < 0.1 as no permutation test can", () => {
  for (const [x, y, t, p, df, lo, hi] of WELCH_REFERENCE) {
    const r = welchTTest(x, y);
    for (const [name, got, want] of [['t', r.t, t], ['p', r.pValue, p], ['df', r.df, df], ['lo', r.lo, lo], ['hi', r.hi, hi]] as const) {
      assert.ok(got !== null && Math.abs(got - want) <= 1e-7 * Math.max(1, Math.abs(want)), `${x} vs ${y}: ${name} ${got} vs ${want}`);
    }
  }
  // The demo's audit figure: 3 insecure seeds against 3 secure seeds.
  assert.equal(permutationTest([10.0, 6.9, 11.3], [0.6, 1.9, 1.9]).pValue, 0.1);
  assert.ok(welchTTest([10.0, 6.9, 11.3], [0.6, 1.9, 1.9]).pValue! < 0.02);
});

test("Welch's t says why it has no answer for one value a side or no variation", () => {
  assert.match(welchTTest([0.1], [0.2, 0.3]).note ?? '', /at least 2 values a side/);
  assert.equal(welchTTest([0.1], [0.2, 0.3]).pValue, null);
  assert.match(welchTTest([0.1, 0.1], [0.2, 0.2]).note ?? '', /no variation/);
});

test('ten seeds a side are enumerated exactly (184,756 relabellings), where the smallest p-value is 2 / 184,756', () => {
  const x = [6.3, 3.1, 6.3, 3.1, 1.9, 2.5, 6.3, 4.4, 2.5, 3.8];
  const y = [0.6, 1.9, 0.0, 1.3, 2.5, 0.6, 2.5, 0.6, 0.6, 0.0];
  const r = permutationTest(x, y);
  assert.equal(r.method, 'exact');
  assert.equal(r.permutations, 184756);
  assert.ok(r.pValue < 0.01 && r.pValue >= 2 / 184756, `${r.pValue}`);
});
