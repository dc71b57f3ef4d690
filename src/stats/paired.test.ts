import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairedTTest } from './paired.js';
import { welchTTest } from './compare.js';

test('pairedTTest matches scipy ttest_rel: statistic, p and interval', () => {
  // scipy.stats.ttest_rel(x, y): t 3.440061, p 0.018434 (df 5), 95% interval [0.047812, 0.330521].
  const x = [0.653, 0.525, 0.945, 0.779, 0.597, 1.224];
  const y = [0.443, 0.45, 0.554, 0.633, 0.568, 0.94];
  const r = pairedTTest(x, y);
  assert.equal(r.n, 6);
  assert.ok(Math.abs(r.t! - 3.440061) < 1e-5, String(r.t));
  assert.ok(Math.abs(r.pValue! - 0.018434) < 1e-5, String(r.pValue));
  assert.ok(Math.abs(r.lo! - 0.047812) < 1e-5 && Math.abs(r.hi! - 0.330521) < 1e-5, `${r.lo} ${r.hi}`);
  // The same values unpaired: Welch's test does not see the shift under the units' own spread (scipy: p 0.179).
  assert.ok(Math.abs(welchTTest(x, y).pValue! - 0.179211) < 1e-5);
});

test('pairedTTest drops pairs with a missing side and says when it cannot test', () => {
  const r = pairedTTest([1, 2, null, 4], [0.5, 1.2, 3, Number.NaN]);
  assert.equal(r.n, 2);
  assert.ok(Math.abs(r.estimate! - 0.65) < 1e-12);
  assert.equal(pairedTTest([1], [0]).pValue, null);
  assert.match(pairedTTest([2, 3], [1, 2]).note!, /same amount/);
  assert.equal(pairedTTest([0.3, 1.3, 2.3], [0.2, 1.2, 2.2]).pValue, null);
  assert.throws(() => pairedTTest([1, 2], [1]), /matched pairs/);
});
