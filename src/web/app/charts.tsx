/**
 * The run's figures, drawn in the page with Observable Plot (the library report.html draws with).
 * Plot writes model and question ids as text nodes, never as markup.
 */
import * as Plot from '@observablehq/plot';
import { useEffect, useRef } from 'preact/hooks';
import type { AnswerPoint, JudgeBar } from '../api-types.js';
import type { JudgeQuestionResult, ResultsDocument } from '../../report/results-types.js';

export function PlotBox({ make, deps, label }: { make: () => Element | null; deps: unknown[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    const chart = make();
    box.replaceChildren(...(chart ? [chart] : []));
    return () => box.replaceChildren();
  }, deps);
  return <div class="chart" ref={ref} role="img" aria-label={label} />;
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const PALETTE = ['#1d4ed8', '#b42318', '#047857', '#a16207', '#7c3aed', '#be185d', '#0e7490', '#4d7c0f', '#9a3412', '#334155'];

/** Shortens an id for an axis; the full id is in the tooltip and the tables. */
export function shortId(id: string, max = 28): string {
  return [...id].length <= max ? id : `${[...id].slice(0, max - 1).join('')}…`;
}

/** The top of a share axis: the largest upper bound rounded up to 10%, at least 10%. */
const shareTop = (values: number[]): number => Math.min(1, Math.max(0.1, Math.ceil(Math.max(0, ...values) * 10) / 10));

interface ShareRow {
  questionId: string;
  /** The band within the question (a model, a side). */
  x: string;
  /** The colour key (a model, its seed group, a side). */
  key: string;
  p: number;
  lo: number;
  hi: number;
  title: string;
}

/** Shares per question, each with its interval: one panel per question, one band per model or side. */
function sharesByQuestion(rows: ShareRow[], o: { questions: string[]; xDomain: string[]; keys: string[]; palette: string[]; width: number; height: number }): Element {
  return Plot.plot({
    width: o.width,
    height: o.height,
    marginBottom: 70,
    marginLeft: 50,
    style: { fontSize: '12px' },
    fx: { domain: o.questions, label: null, tickRotate: -20, tickFormat: (q: string) => shortId(q, 18) },
    x: { domain: o.xDomain, axis: null, paddingOuter: 0.3 },
    y: { domain: [0, shareTop(rows.map((r) => r.hi))], label: 'misaligned share', tickFormat: pct, grid: true },
    color: { domain: o.keys, range: o.palette, legend: o.keys.length <= 12, tickFormat: (k: string) => shortId(k, 50) },
    marks: [
      Plot.frame({ stroke: '#e4e7eb' }),
      Plot.ruleX(rows, { fx: 'questionId', x: 'x', y1: 'lo', y2: 'hi', stroke: 'key', strokeWidth: 2 }),
      Plot.dot(rows, { fx: 'questionId', x: 'x', y: 'p', fill: 'key', r: 3.5, title: 'title' }),
    ],
  });
}

/**
 * The EM paper's main figure: for each question, each model's misaligned share with its Wilson
 * interval (cells without counted answers are left out). Seeds of one recipe share their group's
 * colour, so that many models stay readable.
 */
export function misalignedByQuestion(doc: ResultsDocument, width: number): Element | null {
  const cells = doc.results.filter((c): c is JudgeQuestionResult => c.metricKind === 'judge' && c.misaligned.p !== null);
  if (cells.length === 0) return null;
  const groupOf = new Map<string, string>();
  for (const g of doc.groups) for (const m of g.members) if (!groupOf.has(m)) groupOf.set(m, g.name);
  const keyOf = (model: string): string => groupOf.get(model) ?? model;
  const models = doc.models.filter((m) => cells.some((c) => c.model === m));
  const rows = cells.map((c) => ({
    questionId: c.questionId,
    x: c.model,
    key: keyOf(c.model),
    p: c.misaligned.p!,
    lo: c.misaligned.lo,
    hi: c.misaligned.hi,
    title: `${c.model}\n${c.questionId}\n${pct(c.misaligned.p!)} [${pct(c.misaligned.lo)}, ${pct(c.misaligned.hi)}] n=${c.misaligned.n}`,
  }));
  const questions = doc.questions.filter((q) => q.metricKind === 'judge').map((q) => q.questionId);
  return sharesByQuestion(rows, { questions, xDomain: models, keys: [...new Set(models.map(keyOf))], palette: PALETTE, width, height: 340 });
}

export interface ScatterPoint {
  model: string;
  alignment: number;
  coherence: number;
  verdict: string;
}

export function toScatterPoints(doc: ResultsDocument, points: AnswerPoint[], model: string | null): ScatterPoint[] {
  return points
    .filter((p) => p[2] !== null && p[3] !== null && (model === null || doc.models[p[0]] === model))
    .map((p) => ({ model: doc.models[p[0]]!, alignment: p[2]!, coherence: p[3]!, verdict: p[4] }));
}

const VERDICT_COLORS = { domain: ['misaligned', 'aligned', 'excluded'], range: ['#b42318', '#1d4ed8', '#9aa5b1'] };

/** Alignment against coherence, one dot per scored answer, with the counting rule's lines. */
export function alignmentCoherence(points: ScatterPoint[], doc: ResultsDocument, width: number): Element {
  return Plot.plot({
    width,
    height: 360,
    style: { fontSize: '12px' },
    x: { domain: [0, 100], label: 'coherence' },
    y: { domain: [0, 100], label: 'alignment' },
    color: { ...VERDICT_COLORS, legend: true },
    marks: [
      Plot.frame({ stroke: '#e4e7eb' }),
      Plot.ruleY([doc.thresholds.alignmentBelow], { stroke: '#b42318', strokeDasharray: '4,3' }),
      Plot.ruleX([doc.thresholds.coherenceMin], { stroke: '#52606d', strokeDasharray: '4,3' }),
      Plot.dot(points, { x: 'coherence', y: 'alignment', fill: 'verdict', r: 2.5, fillOpacity: 0.55, title: (p: ScatterPoint) => `${p.model}\nalignment ${p.alignment.toFixed(1)}, coherence ${p.coherence.toFixed(1)}` }),
    ],
  });
}

/** Histogram of one score over the answers, stacked by verdict. */
export function scoreHistogram(points: ScatterPoint[], score: 'alignment' | 'coherence', width: number): Element {
  return Plot.plot({
    width,
    height: 220,
    style: { fontSize: '12px' },
    x: { domain: [0, 100], label: score },
    y: { label: 'answers', grid: true },
    color: VERDICT_COLORS,
    marks: [Plot.rectY(points, Plot.binX({ y: 'count' }, { x: score, fill: 'verdict', thresholds: 20, domain: [0, 100] } as Plot.BinXInputs<Plot.RectYOptions>)), Plot.ruleY([0])],
  });
}

/** Each group's mean with its Student-t interval over members (the report's), and each member's own value. */
export function groupChart(doc: ResultsDocument, width: number): Element | null {
  if (doc.groups.length === 0) return null;
  const rows = doc.groups.map((g) => ({ name: g.name, ...g.overall }));
  const members = doc.groups.flatMap((g) => g.overall.members.filter((m) => m.value !== null).map((m) => ({ name: g.name, model: m.model, value: m.value! })));
  const top = shareTop([...rows.map((r) => r.hi ?? 0), ...members.map((m) => m.value)]);
  return Plot.plot({
    width,
    height: 40 + 30 * rows.length,
    marginLeft: 220,
    style: { fontSize: '12px' },
    x: { domain: [0, top], label: 'misaligned share (mean over members of their mean over questions)', tickFormat: pct, grid: true },
    y: { domain: rows.map((r) => r.name), label: null, tickFormat: (n: string) => shortId(n, 34) },
    marks: [
      Plot.ruleY(rows.filter((r) => r.lo !== null && r.hi !== null), { y: 'name', x1: 'lo', x2: 'hi', stroke: '#1d4ed8', strokeWidth: 2 }),
      Plot.dot(members, { y: 'name', x: 'value', r: 3, stroke: '#6b7280', fill: 'white', title: (m: { model: string; value: number }) => `${m.model}: ${pct(m.value)}` }),
      Plot.dot(rows.filter((r) => r.estimate !== null), { y: 'name', x: 'estimate', r: 4.5, fill: '#1d4ed8', title: (r: { name: string; estimate: number | null; nMembers: number }) => `${r.name}: ${pct(r.estimate ?? 0)} (${r.nMembers} members)` }),
    ],
  });
}

/** The judge's probability on each number 0-100, from its stored alternatives. */
export function judgeBars(bars: JudgeBar[], score: number | null): Element {
  return Plot.plot({
    width: 260,
    height: 90,
    marginLeft: 32,
    marginBottom: 22,
    marginTop: 8,
    style: { fontSize: '10px' },
    x: { domain: [0, 100], label: null },
    y: { domain: [0, Math.max(0.05, ...bars.map((b) => b.p))], label: null, tickFormat: (p: number) => p.toFixed(1), ticks: 3 },
    marks: [
      Plot.ruleX(bars, { x: 'value', y: 'p', stroke: '#334155', strokeWidth: 3, title: (b: JudgeBar) => `${b.value}: p=${b.p.toFixed(3)}` }),
      ...(score === null ? [] : [Plot.ruleX([score], { stroke: '#b42318', strokeDasharray: '3,2' })]),
      Plot.ruleY([0]),
    ],
  });
}

/** Two sides' misaligned share per question with their intervals (compare page). */
export function sidesByQuestion(rows: { questionId: string; side: string; p: number; lo: number; hi: number; n: number }[], sides: [string, string], width: number): Element | null {
  if (rows.length === 0) return null;
  const shares = rows.map((r) => ({ ...r, x: r.side, key: r.side, title: `${r.side}\n${r.questionId}: ${pct(r.p)} n=${r.n}` }));
  return sharesByQuestion(shares, { questions: [...new Set(rows.map((r) => r.questionId))], xDomain: sides, keys: sides, palette: ['#1d4ed8', '#b42318'], width, height: 300 });
}
