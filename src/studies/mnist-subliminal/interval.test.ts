import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanInterval } from './interval.js';

test('the interval is mean ± t·sd/√n, and a single value has none', () => {
  const r = meanInterval([0.5, 0.6, 0.7, 0.55]);
  const sd = Math.sqrt(((0.5 - 0.5875) ** 2 + (0.6 - 0.5875) ** 2 + (0.7 - 0.5875) ** 2 + (0.55 - 0.5875) ** 2) / 3);
  assert.ok(Math.abs(r.mean - 0.5875) < 1e-12);
  assert.ok(Math.abs((r.sd as number) - sd) < 1e-12);
  assert.ok(Math.abs((r.high as number) - (0.5875 + 3.182446 * sd / 2)) < 1e-5);
  assert.ok(Math.abs((r.low as number) - (0.5875 - 3.182446 * sd / 2)) < 1e-5);
  const one = meanInterval([0.4]);
  assert.equal(one.low, null);
  assert.equal(one.sd, null);
  assert.throws(() => meanInterval([]), /no values/);
});
