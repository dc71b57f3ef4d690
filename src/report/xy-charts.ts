/**
 * Line and scatter charts as inline SVG, drawn with Observable Plot on a linkedom document like the
 * interval charts (charts.ts): for curves over a numeric x (a steering sweep, layers, mix fractions)
 * and for one point per item (a screening scatter). Every colour is explicit.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { COLORS } from './charts.js';
import { showInvisible } from './escape.js';

export interface XYPoint {
  series: string;
  x: number;
  y: number | null;
  lo?: number | null;
  hi?: number | null;
  /** Text shown beside a scatter point and in its tooltip. */
  label?: string;
}

export interface XYChartOptions {
  xLabel: string;
  yLabel: string;
  yDomain?: [number, number];
  xTick?: (x: number) => string;
  yTick?: (y: number) => string;
  /** The x scale: linear (default), or square root, which spreads small values (0, 5%, 10% beside 100%). */
  xScale?: 'linear' | 'sqrt';
  /** Ticks at exactly these x values (default: the scale's own). */
  xTicks?: number[];
  /** Horizontal reference lines, e.g. a goal. */
  rules?: number[];
}

const PALETTE = [COLORS.estimate, COLORS.neutral, '#047857', '#7c3aed', '#b45309', COLORS.member];

function render(marks: Plot.Markish[], points: readonly XYPoint[], opts: XYChartOptions): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const series = [...new Set(points.map((p) => p.series))];
  const svg = Plot.plot({
    document,
    width: 720,
    height: 300,
    marginLeft: 56,
    marginRight: 140,
    marginBottom: 40,
    style: { color: COLORS.text, background: COLORS.background, fontSize: '12px' },
    x: { label: opts.xLabel, labelAnchor: 'center', labelArrow: 'none', grid: true, type: opts.xScale ?? 'linear', ...(opts.xTicks ? { ticks: opts.xTicks } : {}), ...(opts.xTick ? { tickFormat: opts.xTick } : {}) },
    y: { label: opts.yLabel, labelArrow: 'none', grid: true, ...(opts.yDomain ? { domain: opts.yDomain } : {}), ...(opts.yTick ? { tickFormat: opts.yTick } : {}) },
    color: { domain: series, range: PALETTE.slice(0, Math.max(1, series.length)), legend: false },
    marks: [...marks, ...(opts.rules ?? []).map((r) => Plot.ruleY([r], { stroke: COLORS.member, strokeDasharray: '4 3' }))],
  });
  return showInvisible(svg.outerHTML);
}

/** One line per series, with its points, vertical interval bars where given, and the series name at its end. */
export function lineChart(points: readonly XYPoint[], opts: XYChartOptions): string {
  const data = points.filter((p) => p.y !== null);
  const bars = data.filter((p) => p.lo !== null && p.lo !== undefined && p.hi !== null && p.hi !== undefined);
  const last = [...new Map(data.map((p) => [p.series, p])).values()];
  return render([
    Plot.line(data, { x: 'x', y: 'y', stroke: 'series', strokeWidth: 2 }),
    Plot.ruleX(bars, { x: 'x', y1: 'lo', y2: 'hi', stroke: 'series', strokeOpacity: 0.6 }),
    Plot.dot(data, { x: 'x', y: 'y', fill: 'series', r: 3.5, title: (p: XYPoint) => `${p.series}: ${p.x}, ${p.y}` }),
    Plot.text(last, { x: 'x', y: 'y', text: 'series', dx: 8, textAnchor: 'start', fill: 'series' }),
  ], data, opts);
}

/** One dot per point, labelled. */
export function scatterChart(points: readonly XYPoint[], opts: XYChartOptions): string {
  const data = points.filter((p) => p.y !== null);
  return render([
    Plot.dot(data, { x: 'x', y: 'y', fill: 'series', r: 5, title: (p: XYPoint) => p.label ?? `${p.x}, ${p.y}` }),
    Plot.text(data, { x: 'x', y: 'y', text: (p: XYPoint) => p.label ?? '', dx: 8, textAnchor: 'start', fill: COLORS.text }),
  ], data, opts);
}
