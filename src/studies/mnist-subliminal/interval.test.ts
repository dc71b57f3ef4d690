import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanInterval, studentTCdf, studentTQuantile } from './interval.js';

test('t quantiles match the printed tables', () => {
  // Two-sided 95 % critical values (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
  const table: [number, number][] = [[1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [9, 2.262], [19, 2.093], [29, 2.045], [99, 1.984]];
  for (const [df, t] of table) assert.ok(Math.abs(studentTQuantile(0.975, df) - t) < 1e-3, `df=${df}: ${studentTQuantile(0.975, df)}`);
  assert.ok(Math.abs(studentTQuantile(0.995, 5) - 4.032) < 1e-3);
  assert.ok(Math.abs(studentTCdf(0, 7) - 0.5) < 1e-12);
  assert.ok(Math.abs(studentTCdf(-2.262, 9) - 0.025) < 1e-4);
});

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
