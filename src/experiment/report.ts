/**
 * The experiment's own outputs, beside each evaluation's (results.json, samples.jsonl, report.html
 * in eval-<name>/, written by the eval pipeline): results.json with every step's status, the groups
 * and comparisons of each evaluation and the gates' verdicts; report.html that lists them and links
 * each evaluation's full report; and the terminal summary.
 */
import { relative } from 'node:path';
import { html, type SafeHtml } from '../report/escape.js';
import { writeTextFile } from '../report/files.js';
import { formatDifference, formatPValue, formatShareInterval } from '../report/format.js';
import { emlabVersion, type ComparisonResult, type GroupResult } from '../report/index.js';
import type { GateVerdict } from './gate.js';
import { formatCost, type Cost } from './prices.js';
import type { ExperimentOutcome, StepReport } from './run.js';
import type { Experiment } from './schema.js';

export const EXPERIMENT_SCHEMA_VERSION = 1;

export interface ExperimentResults {
  schemaVersion: typeof EXPERIMENT_SCHEMA_VERSION;
  kind: 'emlab.experiment';
  emlabVersion: string;
  createdAt: string;
  name: string;
  file: string;
  status: 'complete' | 'incomplete';
  steps: StepReport[];
  evaluations: {
    name: string;
    /** The evaluation's folder, relative to this file's. */
    dir: string;
    status: string;
    suite: string | null;
    groups: GroupResult[];
    comparisons: ComparisonResult[];
  }[];
  gates: GateVerdict[];
  requestsSent: number;
  jobsStarted: number;
}

export function experimentResults(exp: Experiment, o: ExperimentOutcome): ExperimentResults {
  const complete = o.steps.every((s) => s.status === 'done' || s.status === 'cached');
  return {
    schemaVersion: EXPERIMENT_SCHEMA_VERSION,
    kind: 'emlab.experiment',
    emlabVersion: emlabVersion(),
    createdAt: new Date().toISOString(),
    name: exp.name,
    file: exp.file,
    status: complete ? 'complete' : 'incomplete',
    steps: o.steps,
    evaluations: o.evaluations.map((e) => ({
      name: e.name,
      dir: relative(o.outDir, e.outDir),
      status: e.status,
      suite: e.results?.suite ?? null,
      groups: e.results?.groups ?? [],
      comparisons: e.results?.comparisons ?? [],
    })),
    gates: o.gates,
    requestsSent: o.requestsSent,
    jobsStarted: o.jobsStarted,
  };
}

export async function writeExperimentOutputs(doc: ExperimentResults, outDir: string): Promise<string[]> {
  const files = [`${outDir}/results.json`, `${outDir}/report.html`];
  await writeTextFile(`${JSON.stringify(doc, null, 2)}\n`, files[0]!);
  await writeTextFile(renderExperimentHtml(doc), files[1]!);
  return files;
}

const groupCell = (g: GroupResult): string => `${formatShareInterval(g.overall.estimate, g.overall.lo, g.overall.hi)} (${g.overall.nMembers} member${g.overall.nMembers === 1 ? '' : 's'}, ${g.overall.method})`;
const comparisonCell = (c: ComparisonResult): string => `${formatDifference(c.overall.difference)}, ${formatPValue(c.overall.test.pValue)} (${c.overall.test.method})`;

/** The summary on the terminal: steps, then per evaluation its groups and comparisons, then gates. */
export function renderExperimentSummary(doc: ExperimentResults): string[] {
  const lines = [`emlab run ${doc.name}: ${doc.status}; ${doc.requestsSent} requests sent, ${doc.jobsStarted} fine-tunes started`];
  for (const s of doc.steps) lines.push(`  ${s.status.padEnd(10)} ${s.id}: ${s.detail}`);
  for (const e of doc.evaluations) {
    if (e.groups.length + e.comparisons.length === 0) continue;
    lines.push(`evaluation ${e.name} (${e.dir}/report.html):`);
    for (const g of e.groups) lines.push(`  group ${g.name}: misaligned ${groupCell(g)}`);
    for (const c of e.comparisons) lines.push(`  ${c.a} vs ${c.b}: ${comparisonCell(c)}`);
  }
  for (const g of doc.gates) lines.push(`gate ${g.candidate.model} vs ${g.base.model}: ${g.status.toUpperCase()} (${formatPValue(g.test.pValue)}): ${g.reason}`);
  return lines;
}

/** The dry run's plan: every step with what it will ask for and cost. */
export function renderPlan(name: string, steps: StepReport[], total: Cost): string[] {
  const lines = [`emlab run ${name} --dry-run: ${steps.length} steps`];
  for (const s of steps) {
    lines.push(`  ${s.status.padEnd(8)} ${s.id}: ${s.detail}`);
    if (s.estimate && s.status !== 'cached') lines.push(`           ${formatCost(s.estimate)}`);
  }
  lines.push(`total to send: ${formatCost(total)} (answers counted at their longest, --max-tokens; prices per million tokens from emlab's table or the file's prices:)`);
  return lines;
}

function renderExperimentHtml(doc: ExperimentResults): string {
  const steps = doc.steps.map((s) => html`<tr><td>${s.id}</td><td class="${s.status}">${s.status}</td><td>${s.detail}</td></tr>`);
  const evals: SafeHtml[] = doc.evaluations.map((e) => html`
    <h2>Evaluation ${e.name}</h2>
    <p><a href="${`${e.dir}/report.html`}">full report</a> · status ${e.status} · suite ${e.suite ?? '–'}</p>
    ${e.groups.length > 0 ? html`<table><tr><th>group</th><th>misaligned share [interval]</th><th>members</th></tr>${e.groups.map((g) => html`<tr><td>${g.name}</td><td>${groupCell(g)}</td><td>${g.members.join(', ')}</td></tr>`)}</table>` : ''}
    ${e.comparisons.length > 0 ? html`<table><tr><th>comparison</th><th>difference [interval], p</th></tr>${e.comparisons.map((c) => html`<tr><td>${c.a} vs ${c.b}</td><td>${comparisonCell(c)}</td></tr>`)}</table>` : ''}`);
  const gates = doc.gates.map((g) => html`<tr><td>${g.base.model}</td><td>${g.candidate.model}</td><td class="${g.status}">${g.status}</td><td>${formatPValue(g.test.pValue)}</td><td>${g.reason}</td></tr>`);
  const body = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>emlab experiment ${doc.name}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}.failed,.fail{color:#b00}.incomplete,.skipped{color:#a60}.done,.cached,.pass{color:#070}</style></head>
<body><h1>Experiment ${doc.name}</h1>
<p>${doc.status} · ${doc.requestsSent} requests sent, ${doc.jobsStarted} fine-tunes started by the last run · emlab ${doc.emlabVersion} · ${doc.createdAt}</p>
<h2>Steps</h2><table><tr><th>step</th><th>status</th><th>detail</th></tr>${steps}</table>
${evals}
${gates.length > 0 ? html`<h2>Gates</h2><table><tr><th>base</th><th>candidate</th><th>verdict</th><th>p</th><th>why</th></tr>${gates}</table>` : ''}
</body></html>
`;
  return body.html;
}
