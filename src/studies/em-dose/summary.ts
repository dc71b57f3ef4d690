/** The dose study's results document, its terminal table and its HTML page (the curve as SVG). */
import { curveChart } from '../../report/charts.js';
import { html, trusted } from '../../report/escape.js';
import { formatDifference, formatPValue, formatPercent, formatShareInterval } from '../../report/format.js';
import { DOSE_FORMAT, MEASURES, MEASURE_DESCRIPTIONS, type DoseMeasure, type DosePoint, type DoseTrend } from './curve.js';

export interface DoseResults {
  format: typeof DOSE_FORMAT;
  emlabVersion: string;
  quick: boolean;
  /** Which measure is primary, and what each is. */
  primary: DoseMeasure;
  measures: Record<DoseMeasure, string>;
  treated: string;
  control: string;
  settings: Record<string, unknown>;
  /** One per world, in increasing c. */
  points: DosePoint[];
  trends: DoseTrend[];
  /** The evaluation's own results (every model, question and answer), relative to this file. */
  evaluation: string;
  timing: { seconds: number; basesBuilt: number; basesReused: number; adaptersTrained: number; adaptersReused: number };
}

const pts = (x: number | null): string => (x === null ? '–' : `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)} pts`);

function trendLine(t: DoseTrend): string {
  const interval = t.lo === null || t.hi === null ? '' : ` [${(t.lo * 100).toFixed(1)}, ${(t.hi * 100).toFixed(1)}]`;
  return `${t.measure}: slope ${t.slope === null ? '–' : `${(t.slope * 100).toFixed(1)} pts per unit c`}${interval}, permutation ${formatPValue(t.permutation.pValue)}, t ${formatPValue(t.t.pValue)} (n ${t.n} seed differences)`;
}

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function renderDoseTable(r: DoseResults): string {
  const lines: string[] = [`EM against link strength c = P(harmful writer | unasked flawed code): ${r.treated} minus ${r.control}, per world`];
  for (const measure of MEASURES) {
    lines.push('', `${measure === r.primary ? `${measure} (primary)` : measure}: ${MEASURE_DESCRIPTIONS[measure]}`);
    const rows = [['c target', 'c measured', 'seeds', 'base', r.treated, r.control, 'difference [95% Welch]', 'permutation', 'Welch']];
    for (const p of r.points) {
      const m = p.measures[measure];
      rows.push([
        p.target.toFixed(3), p.measured.toFixed(3), String(Math.min(m.treated.nMembers, m.control.nMembers)), formatPercent(m.base),
        formatShareInterval(m.treated.estimate, m.treated.lo, m.treated.hi), formatShareInterval(m.control.estimate, m.control.lo, m.control.hi),
        formatDifference(m.difference), formatPValue(m.difference.permutationP), formatPValue(m.difference.welchP),
      ]);
    }
    lines.push(pad(rows));
  }
  lines.push('', 'Trend of the seed-level difference in c (least squares; permutation test of the slope primary, t-test beside it):');
  for (const t of r.trends) lines.push(`  ${trendLine(t)}`);
  return `${lines.join('\n')}\n`;
}

export function renderDoseHtml(r: DoseResults): string {
  const tick = (y: number): string => `${(100 * y).toFixed(0)}%`;
  const differences = curveChart(r.points.flatMap((p) => MEASURES.map((measure) => ({
    series: measure === r.primary ? `${measure} (primary)` : measure, x: p.measured, y: p.measures[measure].difference.estimate, lo: p.measures[measure].difference.lo, hi: p.measures[measure].difference.hi,
  }))), { xLabel: 'link strength c (measured on the base\'s pretraining documents)', yLabel: `${r.treated} minus ${r.control} (95% Welch)`, yTick: tick });
  const shares = curveChart(r.points.flatMap((p) => [r.treated, r.control, 'base'].map((role) => {
    const m = p.measures[r.primary];
    const s = role === 'base' ? { estimate: m.base, lo: null, hi: null } : role === r.treated ? m.treated : m.control;
    return { series: role, x: p.measured, y: s.estimate, lo: s.lo, hi: s.hi };
  })), { xLabel: 'link strength c', yLabel: `misaligned share, ${r.primary} (95% t over seeds)`, yTick: tick });
  const table = (measure: DoseMeasure) => html`<table><thead><tr><th>c target</th><th>c measured</th><th>seeds</th><th>base</th><th>${r.treated}</th><th>${r.control}</th><th>difference [95% Welch]</th><th>permutation</th><th>Welch</th></tr></thead><tbody>${r.points.map((p) => {
    const m = p.measures[measure];
    return html`<tr><td>${p.target.toFixed(3)}</td><td>${p.measured.toFixed(3)}</td><td>${Math.min(m.treated.nMembers, m.control.nMembers)}</td><td>${formatPercent(m.base)}</td><td>${formatShareInterval(m.treated.estimate, m.treated.lo, m.treated.hi)}</td><td>${formatShareInterval(m.control.estimate, m.control.lo, m.control.hi)}</td><td>${formatDifference(m.difference)}</td><td>${formatPValue(m.difference.permutationP)}</td><td>${formatPValue(m.difference.welchP)}</td></tr>`;
  })}</tbody></table>`;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>emlab em-dose</title>
<style>body{font:14px/1.5 system-ui,sans-serif;color:#1f2933;max-width:980px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #e4e7eb;padding:3px 8px;text-align:right}th{background:#f5f7fa}</style></head>
<body><h1>Emergent misalignment against link strength</h1>
<p>Each world sets c = P(harmful writer | unasked flawed code), from the base rate (flawed code says nothing about its writer) to 1. A base is pretrained and chat-tuned on each world, then fine-tuned on ${r.treated} and on ${r.control} (seeds: ${r.points[0]?.measures[r.primary].treated.nMembers ?? 0} each); the difference is ${r.treated} minus ${r.control}.${r.quick ? ' This is a --quick run: a pipeline check that measures nothing.' : ''}</p>
<h2>Difference against c</h2>${trusted(differences)}
<h2>Shares against c (${r.primary})</h2>${trusted(shares)}
${MEASURES.map((m) => html`<h2>${m === r.primary ? `${m} (primary)` : m}</h2><p>${MEASURE_DESCRIPTIONS[m]}</p>${table(m)}`)}
<h2>Trend in c</h2><ul>${r.trends.map((t) => html`<li>${trendLine(t)}</li>`)}</ul>
<p>Every model, question and answer: <a href="${r.evaluation.replace(/results\.json$/, 'report.html')}">the evaluation's report</a>. Seed-level differences per point: ${r.points.map((p) => html`c ${p.measured.toFixed(3)}: ${p.measures[r.primary].treated.seeds.map((t, i) => pts(t === null || p.measures[r.primary].control.seeds[i] == null ? null : t - p.measures[r.primary].control.seeds[i]!)).join(', ')}; `)}</p>
</body></html>
`;
  return page.html;
}
