import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineChart } from './xy-charts.js';

/** The x positions of the tick labels, by label. */
function tickPositions(svg: string): Map<string, number> {
  const group = svg.slice(svg.indexOf('aria-label="x-axis tick label"'));
  const ticks = new Map<string, number>();
  for (const m of group.slice(0, group.indexOf('</g>')).matchAll(/translate\(([\d.]+),[\d.]+\)" y="[^"]*">([^<]+)</g)) ticks.set(m[2]!, Number(m[1]));
  return ticks;
}

test('a square-root x axis puts 25% halfway between 0 and 100%, a linear one a quarter of the way; ticks at the values given', () => {
  const points = [0, 0.25, 1].map((x, i) => ({ series: 'share', x, y: i }));
  const pct = (x: number): string => `${Math.round(100 * x)}%`;
  for (const [xScale, share] of [['sqrt', 0.5], ['linear', 0.25]] as const) {
    const ticks = tickPositions(lineChart(points, { xLabel: 'bad fraction', yLabel: 'y', xScale, xTicks: [0, 0.25, 1], xTick: pct }));
    assert.deepEqual([...ticks.keys()], ['0%', '25%', '100%']);
    const [zero, quarter, all] = [ticks.get('0%')!, ticks.get('25%')!, ticks.get('100%')!];
    assert.ok(Math.abs((quarter - zero) / (all - zero) - share) < 0.01, `${xScale}: ${zero} ${quarter} ${all}`);
  }
});
