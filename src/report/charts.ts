/**
 * Interval charts as inline SVG, drawn with Observable Plot on a linkedom document (no browser).
 * Plot draws in currentColor by default; every colour is set explicitly so the SVG reads the same
 * in any page, viewer or rasteriser.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { showInvisible } from './escape.js';
import { abbreviate } from './format.js';

export const COLORS = {
  text: '#1f2933',
  background: '#ffffff',
  grid: '#e4e7eb',
  estimate: '#b42318',
  interval: '#b42318',
  member: '#6b7280',
  neutral: '#1d4ed8',
} as const;

export interface IntervalRow {
  /** Full id (model or group), shown in the tooltip. */
  id: string;
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  /** Short text drawn right of the interval, e.g. "12.0% n=98". */
  label: string;
}

export interface IntervalChartOptions {
  /** Upper end of the x axis (shares: a fraction; means: the scale's end). */
  xMax: number;
  xLabel: string;
  /** Formats an x tick. */
  tick: (x: number) => string;
  color?: string;
  /** Extra points per row, e.g. the member values of a group. */
  points?: { id: string; value: number; title: string }[];
}

/** Unique, readable y labels for ids that may be long (model ids often are). */
export function rowLabels(ids: readonly string[], max = 30): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  ids.forEach((id, i) => {
    let label = abbreviate(id, max);
    if (used.has(label)) label = `${abbreviate(id, max - 4)} #${i + 1}`;
    used.add(label);
    out.set(id, label);
  });
  return out;
}

export function intervalChart(rows: readonly IntervalRow[], opts: IntervalChartOptions): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const labels = rowLabels(rows.map((r) => r.id));
  const color = opts.color ?? COLORS.estimate;
  const data = rows.map((r) => ({ ...r, y: labels.get(r.id)! }));
  const withEstimate = data.filter((r) => r.estimate !== null);
  const withInterval = data.filter((r) => r.lo !== null && r.hi !== null);
  const points = (opts.points ?? []).map((p) => ({ ...p, y: labels.get(p.id) ?? p.id }));
  const longest = Math.max(0, ...[...labels.values()].map((l) => [...l].length));
  const svg = Plot.plot({
    document,
    width: 900,
    height: 44 + 28 * rows.length,
    marginLeft: Math.min(230, 16 + 6.2 * longest),
    marginRight: 130,
    marginTop: 8,
    marginBottom: 36,
    style: { color: COLORS.text, background: COLORS.background, fontSize: '12px' },
    x: { domain: [0, opts.xMax], label: opts.xLabel, labelAnchor: 'center', labelArrow: 'none', tickFormat: opts.tick, grid: true },
    y: { domain: data.map((r) => r.y), label: null },
    marks: [
      Plot.gridX({ stroke: COLORS.grid, strokeOpacity: 1 }),
      Plot.ruleY(withInterval, { y: 'y', x1: 'lo', x2: 'hi', stroke: color, strokeWidth: 2 }),
      Plot.tickX(withInterval, { y: 'y', x: 'lo', stroke: color, strokeWidth: 2, inset: 8 }),
      Plot.tickX(withInterval, { y: 'y', x: 'hi', stroke: color, strokeWidth: 2, inset: 8 }),
      Plot.dot(points, { y: 'y', x: 'value', r: 3, stroke: COLORS.member, fill: COLORS.background, title: 'title' }),
      Plot.dot(withEstimate, { y: 'y', x: 'estimate', r: 4.5, fill: color, stroke: COLORS.background, title: (d: IntervalRow) => `${d.id}: ${d.label}` }),
      Plot.text(data, {
        y: 'y',
        x: (d: IntervalRow) => d.hi ?? d.estimate ?? 0,
        text: 'label',
        dx: 10,
        textAnchor: 'start',
        fill: COLORS.text,
      }),
      Plot.ruleX([0], { stroke: COLORS.text }),
    ],
  });
  // linkedom escapes markup characters in ids, not controls or bidi overrides: they are shown too.
  return showInvisible(svg.outerHTML);
}

/** The x-axis end for shares: the largest upper bound rounded up to a 10% step, at least 10%. */
export function shareAxisMax(upperBounds: readonly (number | null)[]): number {
  const top = Math.max(0, ...upperBounds.filter((v): v is number => v !== null));
  return Math.min(1, Math.max(0.1, Math.ceil(top * 10 - 1e-9) / 10));
}

export interface CurvePoint {
  /** The series (one line each), e.g. a group or a measure. */
  series: string;
  x: number;
  y: number | null;
  lo: number | null;
  hi: number | null;
}

export interface CurveChartOptions {
  xLabel: string;
  yLabel: string;
  /** Formats a y tick (shares: percent). */
  yTick: (y: number) => string;
  /** A colour per series, in their order of first appearance; the neutral colours after the first. */
  colors?: readonly string[];
}

/**
 * Values against a continuous x (a dose), one line per series, each point with its interval as a
 * vertical bar; a horizontal rule at y = 0, since differences may fall below it.
 */
export function curveChart(points: readonly CurvePoint[], opts: CurveChartOptions): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const series = [...new Set(points.map((p) => p.series))];
  const colors = opts.colors ?? [COLORS.estimate, COLORS.neutral, COLORS.member];
  const withY = points.filter((p) => p.y !== null);
  const withInterval = points.filter((p) => p.lo !== null && p.hi !== null);
  const svg = Plot.plot({
    document,
    width: 720,
    height: 360,
    marginLeft: 56,
    marginRight: 24,
    marginBottom: 44,
    style: { color: COLORS.text, background: COLORS.background, fontSize: '12px' },
    x: { label: opts.xLabel, labelAnchor: 'center', labelArrow: 'none', grid: true },
    y: { label: opts.yLabel, labelArrow: 'none', tickFormat: opts.yTick, grid: true },
    color: { domain: series, range: series.map((_, i) => colors[i % colors.length]!), legend: series.length > 1 },
    marks: [
      Plot.ruleY([0], { stroke: COLORS.text }),
      Plot.ruleX(withInterval, { x: 'x', y1: 'lo', y2: 'hi', stroke: 'series', strokeWidth: 2 }),
      Plot.line(withY, { x: 'x', y: 'y', stroke: 'series', strokeWidth: 1.5 }),
      Plot.dot(withY, { x: 'x', y: 'y', r: 4, fill: 'series', stroke: COLORS.background, title: (d: CurvePoint) => `${d.series} at ${d.x.toFixed(3)}: ${d.y === null ? '-' : opts.yTick(d.y)}` }),
    ],
  });
  // The legend (a figure around the svg when shown) and the svg alike: escape invisible characters.
  return showInvisible(svg.outerHTML);
}
