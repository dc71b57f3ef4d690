/** The persona study's terminal table and report.html (charts: src/report/xy-charts.ts). */
import { html, trusted, type SafeHtml } from '../../report/escape.js';
import { lineChart, scatterChart, type XYPoint } from '../../report/xy-charts.js';
import { ABLATION_RECIPE } from './ablation-recipes.js';
import type { Count } from './answers.js';
import type { AblationMode } from './config.js';
import { earlyWarningHtml, earlyWarningLines } from './early-warning-report.js';
import { num, pct, pctTick } from './format.js';
import type { ConditionShares, Estimate, PersonaResults } from './results.js';

export function formatEstimate(e: Estimate | null, as: 'pct' | 'num' = 'pct'): string {
  if (e === null || e.estimate === null) return '-';
  const f = as === 'pct' ? pct : (x: number | null) => num(x);
  const interval = e.lo !== null && e.hi !== null ? ` [${f(e.lo)}, ${f(e.hi)}]` : '';
  return `${f(e.estimate)}${interval} n=${e.n}`;
}

const count = (c: Count): string => `${c.k}/${c.n}`;
const shares = (c: ConditionShares): string => `${pct(c.misaligned.estimate)} (${count(c.misaligned)}) | ${pct(c.catalogue.estimate)} (${count(c.catalogue)}) | coherent ${pct(c.coherent.estimate)}`;

/** The summary lines and the main tables, for the terminal. */
export function formatPersonaTable(r: PersonaResults): string {
  const s = r.summary;
  const lines = [
    `emlab study persona${r.quick ? ' --quick' : ''}: steering at layer ${s.steerLayer}, projections at layer ${s.layer} (${s.direction})`,
    `  AUROC of v's projection per layer, development answers: ${s.readAuroc.map((x) => num(x, 3)).join(' / ')}`,
    'misaligned shares: judge (primary) | catalogue match (no judge); report wordings',
    '',
    `steering the base (strength = x the base stream's median norm per token):`,
    ...r.steering.map((p) => `  ${p.strength.toFixed(2).padStart(5)}  ${shares(p)}`),
    `  chosen strength (largest with >= 70% coherent): ${s.steerStrength ?? 'none'}; misaligned ${formatEstimate(s.steerMisaligned)}, catalogue ${formatEstimate(s.steerCatalogue)}, coherent ${formatEstimate(s.steerCoherent)}`,
    `  ceiling: the base under harmful-writer contexts ${shares(s.steerCeiling.context)}; the world's harmful writers ${shares(s.steerCeiling.world)}`,
    `  steered share / the base's under harmful-writer contexts: ${formatEstimate(s.steerCeiling.share, 'num')}`,
    '',
    `ablation in each EM fine-tune (${s.ablationSpan.join(' and ')} at every layer, ${s.ablationMode}: ${ABLATION_RECIPE[s.ablationMode]}; random: mean over draws of random subspaces of that dimension; resampled: nothing ablated, another sampling seed):`,
    ...r.ablation.map((a) => {
      const rand = a.random.length === 0 ? '-' : pct(a.random.reduce((t, x) => t + (x.misaligned.estimate ?? 0), 0) / a.random.length);
      const alt = Object.entries(a.alternatives).map(([k, c]) => `${k} ${pct(c.misaligned.estimate)}`).join(', ');
      return `  ${a.dataset} s${a.seed}: before ${shares(a.before)}\n      resampled ${shares(a.resampled)}\n      ablated ${shares(a.ablated)}\n      random ${rand}${alt ? `; ${alt}` : ''}`;
    }),
    `  relative drop (against the unablated share of both samplings pooled), judge ${formatEstimate(s.ablationDrop)}; catalogue ${formatEstimate(s.ablationDropCatalogue)}`,
    `  coherent (judge): before ${formatEstimate(s.ablationCoherent.before)}, ablated ${formatEstimate(s.ablationCoherent.after)}, random directions ${formatEstimate(s.ablationCoherent.random)}`,
    `  random directions, judge ${formatEstimate(s.randomAblationDrop)}; catalogue ${formatEstimate(s.randomAblationDropCatalogue)}`,
    `  catalogue matches among the judge's coherent answers only: v ${formatEstimate(s.ablationDropCatalogueCoherent)}; random ${formatEstimate(s.randomAblationDropCatalogueCoherent)}`,
    `  against the original sampling alone: drop, judge ${formatEstimate(s.ablationDropSingle)}; random ${formatEstimate(s.randomAblationDropSingle)}`,
    `  noise floor (nothing ablated, another sampling seed), judge ${formatEstimate(s.ablationNoiseFloor)}; catalogue ${formatEstimate(s.ablationNoiseFloorCatalogue)}`,
    ...Object.entries(s.ablationDropByMode).map(([mode, m]) => `  ${mode} instead (${ABLATION_RECIPE[mode as AblationMode]}), judge ${formatEstimate(m.drop)}; catalogue ${formatEstimate(m.catalogue)}; random directions ${formatEstimate(m.random)}; coherent ${formatEstimate(m.coherentAfter)}`),
    ...(s.ablationDropOther ? [`  the other span, ${s.ablationDropOther.span} ablated, judge ${formatEstimate(s.ablationDropOther)}`] : []),
    ...(s.clampDrop ? [`  v clamped to the careful writer's mean at every layer, judge ${formatEstimate(s.clampDrop)}; random directions clamped ${formatEstimate(s.clampDrop.random)}; coherent ${formatEstimate(s.clampDrop.coherentAfter)}`] : []),
    ...(s.steerAgainstDrop ? [`  steering each fine-tune against v (strength ${s.steerAgainstDrop.strength}), judge ${formatEstimate(s.steerAgainstDrop)}; random directions of the same norm ${formatEstimate(s.steerAgainstDrop.random)}; coherent ${formatEstimate(s.steerAgainstDrop.coherentBefore)} -> ${formatEstimate(s.steerAgainstDrop.coherentAfter)}`] : []),
    ...(s.ablationDropWriterSpan ? [`  the three harmful writers' span (${s.ablationDropWriterSpan.dimension} directions a layer), judge ${formatEstimate(s.ablationDropWriterSpan.drop)}; random subspaces of that dimension ${formatEstimate(s.ablationDropWriterSpan.random)}`] : []),
    `  pooled answers: ${count(s.tests.ablation.before)} -> ${count(s.tests.ablation.after)}, Fisher p = ${s.tests.ablation.pValue.toPrecision(2)}`,
    ...(s.tests.steering ? [`  steering: base ${count(s.tests.steering.base)} -> ${count(s.tests.steering.steered)}, Fisher p = ${s.tests.steering.pValue.toPrecision(2)}`] : []),
    ...r.flawedCode.map((f) => `  flawed code, ${f.model}: ${formatEstimate(f.before)} -> ablated ${formatEstimate(f.ablated)}`),
    '',
    'monitoring (AUROC of the projection at the chosen layer vs the world\'s reading, report-wording answers):',
    ...r.monitoring.map((m) => `  ${m.direction.padEnd(14)} ${formatEstimate(m.auroc, 'num')} (${m.harmful} harmful, ${m.harmless} harmless)`),
    '',
    'per layer: probe AUROC (held-out documents) and cosines:',
    ...r.layers.map((l) => `  layer ${l.layer}: probe ${num(l.probeAuroc, 3)}; ${Object.entries(l.cosines).map(([k, c]) => `${k} ${num(c)}`).join(', ')}${l.datasetCosines.length ? `; datasets ${l.datasetCosines.map((c) => `${c.kind}:${c.a}~${c.b} ${num(c.cosine)}`).join(', ')}` : ''}`),
    `  mean cosine between the datasets' directions (a) at layer ${s.layer}: ${formatEstimate(s.directionCosine, 'num')}`,
  ];
  if (r.screening.datasets.length > 0) {
    lines.push('', 'screening (projection difference of each dataset on the base vs the misaligned share of its fine-tunes):');
    for (const d of r.screening.datasets) lines.push(`  ${d.group.padEnd(14)} ${num(d.projectionDifference, 3).padStart(7)}  judge ${pct(d.misaligned)}  catalogue ${pct(d.catalogue)}`);
    lines.push(`  Pearson r: judge ${formatEstimate(s.screeningR, 'num')}; catalogue ${formatEstimate(s.screeningRCatalogue, 'num')}`);
    for (const d of r.screening.rowDrop ?? []) lines.push(`  bad-medical, ${d.group}: judge ${formatEstimate(d.misaligned)}, catalogue ${formatEstimate(d.catalogue)}`);
  }
  if (r.earlyWarning) lines.push('', ...earlyWarningLines(r.earlyWarning));
  lines.push('', `${r.timing.adaptersTrained} adapters trained, ${r.timing.adaptersReused} reused; ${r.timing.wallSeconds.toFixed(1)} s wall, ${r.timing.cpuSeconds.toFixed(1)} CPU-s`);
  return `${lines.join('\n')}\n`;
}

function sharesRow(label: string, c: ConditionShares): SafeHtml {
  return html`<tr><td>${label}</td><td>${formatEstimate(c.misaligned)}</td><td>${formatEstimate(c.catalogue)}</td><td>${formatEstimate(c.coherent)}</td></tr>`;
}

export function renderPersonaHtml(r: PersonaResults): string {
  const s = r.summary;
  const steeringPoints: XYPoint[] = r.steering.flatMap((p) => [
    { series: 'misaligned (judge)', x: p.strength, y: p.misaligned.estimate, lo: p.misaligned.lo, hi: p.misaligned.hi },
    { series: 'catalogue match', x: p.strength, y: p.catalogue.estimate, lo: p.catalogue.lo, hi: p.catalogue.hi },
    { series: 'coherent (judge)', x: p.strength, y: p.coherent.estimate, lo: p.coherent.lo, hi: p.coherent.hi },
  ]);
  const cosinePoints: XYPoint[] = r.layers.flatMap((l) => [
    ...Object.entries(l.cosines).map(([k, c]) => ({ series: k, x: l.layer, y: c })),
    ...l.datasetCosines.filter((c) => c.kind === 'a').map((c) => ({ series: `a: ${c.a}~${c.b}`, x: l.layer, y: c.cosine })),
  ]);
  const charts: SafeHtml[] = [
    html`<h2>Steering the base along v (layer ${s.steerLayer})</h2>${trusted(lineChart(steeringPoints, { xLabel: 'strength (x median stream norm per token)', yLabel: 'share of answers', yDomain: [0, 1], yTick: pctTick, rules: [0.7] }))}`,
    html`<h2>Cosines between directions, per layer</h2><p>v: contrastive personas; a: misaligned minus aligned answers (world truth); c: fine-tuned minus base; probe: harmful-writer probe on held-out world documents.</p>${trusted(lineChart(cosinePoints, { xLabel: 'layer (after block)', yLabel: 'cosine', yDomain: [-1, 1], xTick: (x) => String(x) }))}`,
  ];
  if (r.earlyWarning) charts.push(earlyWarningHtml(r.earlyWarning));
  if (r.screening.datasets.length > 0) {
    const pts: XYPoint[] = r.screening.datasets.map((d) => ({ series: 'dataset', x: d.projectionDifference ?? 0, y: d.misaligned, label: d.group }));
    charts.push(html`<h2>Screening before training</h2><p>Pearson r = ${formatEstimate(s.screeningR, 'num')} (judge), ${formatEstimate(s.screeningRCatalogue, 'num')} (catalogue).</p>${trusted(scatterChart(pts, { xLabel: 'projection difference (base)', yLabel: 'misaligned share of the fine-tunes (judge)', yTick: pctTick }))}`);
  }
  const ablationRows = r.ablation.flatMap((a) => [
    sharesRow(`${a.dataset} s${a.seed}: before`, a.before),
    sharesRow(`${a.dataset} s${a.seed}: resampled, nothing ablated`, a.resampled),
    sharesRow(`${a.dataset} s${a.seed}: ${s.ablationSpan.join(' and ')} ablated`, a.ablated),
    ...a.random.map((c, i) => sharesRow(`${a.dataset} s${a.seed}: random ${i + 1}`, c)),
    ...Object.entries(a.alternatives).map(([k, c]) => sharesRow(`${a.dataset} s${a.seed}: ${k} ablated`, c)),
  ]);
  const page = html`<!doctype html><html><head><meta charset="utf-8"><title>emlab study persona</title>
<style>body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;color:#1f2933}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #e4e7eb;padding:4px 8px;text-align:left;font-size:13px}pre{white-space:pre-wrap;font-size:12px}</style></head><body>
<h1>emlab study persona${r.quick ? ' (--quick)' : ''}</h1>
<p>${s.direction}. Misaligned shares: the judge organism (primary) and the judge-free catalogue match, on the report wordings.</p>
<table><tr><th>measure</th><th>value [95%] n</th></tr>
<tr><td>ablation drop, ${s.ablationSpan.join(' and ')} (${s.ablationMode}: ${ABLATION_RECIPE[s.ablationMode]}), against both unablated samplings pooled (judge / catalogue)</td><td>${formatEstimate(s.ablationDrop)} / ${formatEstimate(s.ablationDropCatalogue)}</td></tr>
<tr><td>coherent share (judge): unablated / ablated / random directions ablated</td><td>${formatEstimate(s.ablationCoherent.before)} / ${formatEstimate(s.ablationCoherent.after)} / ${formatEstimate(s.ablationCoherent.random)}</td></tr>
${Object.entries(s.ablationDropByMode).map(([mode, m]) => html`<tr><td>${mode} instead (${ABLATION_RECIPE[mode as AblationMode]}): drop (judge / catalogue), random directions, coherent</td><td>${formatEstimate(m.drop)} / ${formatEstimate(m.catalogue)}; random ${formatEstimate(m.random)}; coherent ${formatEstimate(m.coherentAfter)}</td></tr>`)}
<tr><td>random-direction ablation drop, the same denominator (judge / catalogue)</td><td>${formatEstimate(s.randomAblationDrop)} / ${formatEstimate(s.randomAblationDropCatalogue)}</td></tr>
<tr><td>catalogue drops among the judge's coherent answers only: v / random</td><td>${formatEstimate(s.ablationDropCatalogueCoherent)} / ${formatEstimate(s.randomAblationDropCatalogueCoherent)}</td></tr>
<tr><td>the same two against the original sampling alone: ablation / random (judge)</td><td>${formatEstimate(s.ablationDropSingle)} / ${formatEstimate(s.randomAblationDropSingle)}</td></tr>
<tr><td>noise floor of the drop: nothing ablated, another sampling seed (judge / catalogue)</td><td>${formatEstimate(s.ablationNoiseFloor)} / ${formatEstimate(s.ablationNoiseFloorCatalogue)}</td></tr>
${s.steerAgainstDrop ? html`<tr><td>steering each EM fine-tune against v (strength ${s.steerAgainstDrop.strength}), relative drop (judge)</td><td>${formatEstimate(s.steerAgainstDrop)}; random directions of the same norm ${formatEstimate(s.steerAgainstDrop.random)}; coherent ${formatEstimate(s.steerAgainstDrop.coherentBefore)} -> ${formatEstimate(s.steerAgainstDrop.coherentAfter)}</td></tr>` : ''}
${s.clampDrop ? html`<tr><td>v clamped to the careful writer's last-prompt mean at every layer, relative drop (judge)</td><td>${formatEstimate(s.clampDrop)}; random directions clamped ${formatEstimate(s.clampDrop.random)}; coherent ${formatEstimate(s.clampDrop.coherentAfter)}</td></tr>` : ''}
${s.ablationDropWriterSpan ? html`<tr><td>the three harmful writers' span (${s.ablationDropWriterSpan.dimension} directions a layer) ablated / random subspaces of that dimension (judge)</td><td>${formatEstimate(s.ablationDropWriterSpan.drop)} / ${formatEstimate(s.ablationDropWriterSpan.random)}</td></tr>` : ''}
<tr><td>steered base at strength ${s.steerStrength ?? '-'}: misaligned / catalogue / coherent</td><td>${formatEstimate(s.steerMisaligned)} / ${formatEstimate(s.steerCatalogue)} / ${formatEstimate(s.steerCoherent)}</td></tr>
<tr><td>ceiling: the base under harmful-writer contexts / the world's harmful writers: misaligned (judge)</td><td>${formatEstimate(s.steerCeiling.context.misaligned)} / ${formatEstimate(s.steerCeiling.world.misaligned)}</td></tr>
<tr><td>steered share as a fraction of the base's under harmful-writer contexts</td><td>${formatEstimate(s.steerCeiling.share, 'num')}</td></tr>
<tr><td>monitor AUROC (v)</td><td>${formatEstimate(s.monitorAuroc, 'num')}</td></tr>
<tr><td>screening r (judge / catalogue)</td><td>${formatEstimate(s.screeningR, 'num')} / ${formatEstimate(s.screeningRCatalogue, 'num')}</td></tr>
<tr><td>cosine between datasets' directions</td><td>${formatEstimate(s.directionCosine, 'num')}</td></tr></table>
${charts}
<h2>Ablation</h2><table><tr><th>model, condition</th><th>misaligned (judge)</th><th>catalogue match</th><th>coherent (judge)</th></tr>${ablationRows}</table>
<h2>All figures</h2><pre>${formatPersonaTable(r)}</pre>
</body></html>`;
  return page.html;
}
