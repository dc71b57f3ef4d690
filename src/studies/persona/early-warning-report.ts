/** The early warning's lines in the terminal table and its section of report.html. */
import { html, trusted, type SafeHtml } from '../../report/escape.js';
import { lineChart, type XYPoint } from '../../report/xy-charts.js';
import { MIX_MEASURES } from './early-warning.js';
import { num, pct, pctTick } from './format.js';
import type { EarlyWarning, Estimate, MixMeasure } from './results.js';

const LABELS: Record<MixMeasure, string> = { misaligned: 'judge', catalogue: 'catalogue', projection: 'projection shift (reply)', lastPosition: 'projection shift (last prompt position)' };
const SHARES: readonly MixMeasure[] = ['misaligned', 'catalogue'];
const isShare = (m: MixMeasure): boolean => SHARES.includes(m);

const pValue = (p: number | null | undefined): string => (p === null || p === undefined ? '-' : p < 0.001 ? p.toExponential(1) : p.toFixed(3));
/** Shares in points of percent, shifts as they are. */
const value = (m: MixMeasure, x: number | null | undefined, sign = false): string => {
  if (x === null || x === undefined) return '-';
  const s = isShare(m) ? (100 * x).toFixed(1) : num(x);
  return sign && x >= 0 ? `+${s}` : s;
};
const withInterval = (m: MixMeasure, e: Estimate, sign = false): string => `${value(m, e.estimate, sign)}${e.lo !== null && e.hi !== null ? ` [${value(m, e.lo)}, ${value(m, e.hi)}]` : ''}`;
const unit = (m: MixMeasure): string => (isShare(m) ? ' pts' : '');

export function earlyWarningLines(ew: EarlyWarning): string[] {
  const lines = [`early warning (bad fraction of the medical rows; ${ew.seeds.length} seeds, the same at every fraction; each fraction minus 0% paired by seed, t 95%; p: paired t, Welch unpaired in brackets):`];
  for (const m of MIX_MEASURES) {
    lines.push(`  ${LABELS[m]}${unit(m)}:`);
    for (const f of ew.fractions) {
      const c = f.vsZero?.[m];
      lines.push(`    ${pct(f.fraction).padStart(6)}  ${withInterval(m, f.values[m]).padEnd(24)}${c ? `  vs 0% ${withInterval(m, c.difference, true).padEnd(26)} p=${pValue(c.pPaired)} (${pValue(c.pWelch)})` : ''}`);
    }
    const t = ew.trend[m];
    lines.push(`    slope per unit bad fraction ${withInterval(m, t.slope, true)}${unit(m)}, p=${pValue(t.pValue)}; lowest fraction that differs: ${pct(ew.lowest[m])} (Welch ${pct(ew.lowestWelch[m])}, step-down trend ${pct(ew.lowestStepDown[m])})`);
  }
  return lines;
}

export function earlyWarningHtml(ew: EarlyWarning): SafeHtml {
  const points = (measures: readonly MixMeasure[]): XYPoint[] => ew.fractions.flatMap((f) => measures.map((m) => ({ series: LABELS[m], x: f.fraction, y: f.values[m].estimate, lo: f.values[m].lo, hi: f.values[m].hi })));
  // The fractions crowd at the low end (0, 5, 10% beside 100%), where the early warning is read: a
  // square-root axis with a tick at each fraction keeps them apart.
  const fractionAxis = { xScale: 'sqrt' as const, xTicks: ew.fractions.map((f) => f.fraction), xTick: pctTick };
  const rows = MIX_MEASURES.map((m) => html`<tr><td>${LABELS[m]}${unit(m)}</td>${ew.fractions.map((f) => {
    const c = f.vsZero?.[m];
    return html`<td>${withInterval(m, f.values[m])}${c ? html`<br>${withInterval(m, c.difference, true)}<br>p ${pValue(c.pPaired)} (${pValue(c.pWelch)})` : ''}</td>`;
  })}<td>${pct(ew.lowest[m])} (${pct(ew.lowestWelch[m])}; ${pct(ew.lowestStepDown[m])})</td><td>${withInterval(m, ew.trend[m].slope, true)}<br>p ${pValue(ew.trend[m].pValue)}</td></tr>`);
  return html`<h2>Early warning: mixes of bad and good medical advice</h2>
<p>${ew.seeds.length} seeds (${ew.seeds.join(', ')}), the same at every fraction. Means over seeds with t 95% intervals; the fine-tunes of one seed share their initialisation and row order, so each fraction is compared with 0% paired by seed.</p>
${trusted(lineChart(points(SHARES), { xLabel: 'bad fraction (square-root axis)', yLabel: 'share of answers', yTick: pctTick, ...fractionAxis }))}
${trusted(lineChart(points(['projection', 'lastPosition']), { xLabel: 'bad fraction (square-root axis)', yLabel: 'projection shift on v (fine-tune - base)', ...fractionAxis }))}
<table><tr><th>measure</th>${ew.fractions.map((f) => html`<th>${pct(f.fraction)}</th>`)}<th>lowest fraction that differs: paired (Welch; step-down trend)</th><th>slope per unit fraction</th></tr>${rows}</table>
<p>Each cell: mean [95%] over seeds; then the paired difference from 0% [95%]; then p, paired t-test (Welch's test unpaired). ${ew.design}.</p>`;
}
