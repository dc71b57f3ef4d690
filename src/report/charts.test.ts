import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curveChart } from './charts.js';

test('curveChart draws a dot and an interval bar per point, a line per series, and escapes series names', () => {
  const points = [0.45, 0.7, 1].flatMap((x, i) => [
    { series: 'judge <b>', x, y: 0.01 * i, lo: 0.01 * i - 0.02, hi: 0.01 * i + 0.02 },
    { series: 'catalogue', x, y: i === 1 ? null : 0.005 * i, lo: null, hi: null },
  ]);
  const svg = curveChart(points, { xLabel: 'c', yLabel: 'difference', yTick: (y) => `${Math.round(100 * y)}%` });
  assert.equal((svg.match(/<circle/g) ?? []).length, 5, 'one dot per point with a value');
  assert.equal((svg.match(/<path/g) ?? []).length >= 2, true, 'a line per series');
  assert.doesNotMatch(svg, /<b>/);
  assert.match(svg, /judge &lt;b&gt;/);
});
