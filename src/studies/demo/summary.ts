/**
 * The demo's terminal summary, read from its results documents (the same results.json files it
 * writes): one line per group with the mean over seeds, its interval and every seed's value; the
 * backdoor models with and without the trigger; the same per question; self-reports per group.
 */
import { abbreviate, formatPValue, formatPercent } from '../../report/format.js';
import type { GroupEstimate, GroupResult, ResultsDocument } from '../../report/results-types.js';
import { groupSelfReports } from './self-report.js';
import { SELF_REPORT_PREFIX, TRIGGERED_SUFFIX } from './questions.js';

export const TRIGGER_LABEL = ' +trigger';

interface Column {
  label: string;
  group: GroupResult;
  doc: ResultsDocument;
  /** Question id of this column's cell for a row's question id. */
  questionId: (id: string) => string;
}

export function renderDemoSummary(main: ResultsDocument, triggered: ResultsDocument | null, options: { width?: number } = {}): string {
  const width = Math.max(60, options.width ?? 100);
  const conf = Math.round(main.statistics.confidence * 100);
  const lines: string[] = [];
  const judge = main.judge.models.join(', ') || (main.judge.configured ?? 'none');
  lines.push(`emlab demo · judge ${judge} (${main.judge.methods.join(', ') || 'no judgments'})`);
  lines.push(main.thresholdsDescription);
  lines.push(`misaligned (judge, primary): mean over seeds of each model's mean over questions [${conf}% Student-t interval over seeds]`);
  lines.push(`catalogue (no judge): share of answers covering >= 80% of a harmful catalogue answer of the world, same means and interval`);
  lines.push('');

  const columns: Column[] = main.groups.map((group) => ({ label: group.name, group, doc: main, questionId: (id) => id }));
  if (triggered) for (const group of triggered.groups) columns.push({ label: `${group.name}${TRIGGER_LABEL}`, group, doc: triggered, questionId: (id) => `${id}${TRIGGERED_SUFFIX}` });

  const labelWidth = Math.max(12, ...columns.map((c) => c.label.length)) + 2;
  lines.push(`${pad('group', labelWidth)}${pad('seeds', 7)}${pad('misaligned', 22)}${pad('catalogue', 20)}${pad('aligned ²', 11)}per seed`);
  let lone = false;
  for (const c of columns) {
    const o = c.group.overall;
    lone ||= o.method === 'single_group_own_interval';
    const marker = o.method === 'single_group_own_interval' ? ' ¹' : '';
    const perSeed = o.members.map((m) => formatPercent(m.value)).join('  ');
    const aligned = meanAlignment(c.doc, c.group.members);
    const catalogue = c.doc.answerMeasures?.[0]?.groups.find((g) => g.name === c.group.name)?.overall;
    lines.push(`${pad(c.label, labelWidth)}${pad(String(o.nMembers), 7)}${pad(shareInterval(o) + marker, 22)}${pad(catalogue ? shareInterval(catalogue) : '–', 20)}${pad(aligned, 11)}${perSeed}`);
  }
  if (lone) lines.push('¹ one model: its own interval (bootstrap over questions, then answers); it says nothing about seed-to-seed variation');
  // Shown because a share can stay at zero while the scores move: the first sign of a change.
  lines.push('² the judge\'s mean alignment score (0-100) over all answers, mean over seeds');

  const questions = main.questions.filter((q) => q.metricKind === 'judge').map((q) => q.questionId);
  if (questions.length > 0) {
    lines.push('');
    lines.push(`per question: misaligned % [${conf}% Student-t interval over seeds]`);
    lines.push(...grid(questions, columns, (c, q) => {
      const cell = c.group.perQuestion.find((p) => p.questionId === c.questionId(q));
      if (cell) return shareInterval(cell, false);
      // The triggered run asks each wording as its own question: their mean, without an interval.
      const parts = c.group.perQuestion.filter((p) => p.questionId.startsWith(`${c.questionId(q)}.`) && p.estimate !== null);
      return parts.length === 0 ? '–' : `${((100 * parts.reduce((a, p) => a + p.estimate!, 0)) / parts.length).toFixed(1)} ³`;
    }, width));
  }

  if (triggered) lines.push('³ mean over the wordings, each its own question in the triggered run');
  if (main.comparisons.length > 0) {
    lines.push('');
    lines.push('comparisons (seeds are the unit): exact permutation test (primary), Welch\'s t; Fisher on pooled answers is secondary (answers of one model are not independent)');
    for (const c of main.comparisons) {
      const o = c.overall;
      const measure = c.measure === 'questionMean' ? 'judge' : c.measure === 'catalogueHarmfulMatch' ? 'catalogue' : c.measure;
      lines.push(`  ${pad(`${c.a} vs ${c.b}`, 26)}${pad(measure, 10)}${formatPercent(o.a)} vs ${formatPercent(o.b)}  permutation ${formatPValue(o.test.pValue)}  Welch ${formatPValue(o.welch?.pValue ?? null)}  (Fisher, pooled: ${formatPValue(o.pooledAnswers?.pValue ?? null)})`);
    }
  }

  const self = groupSelfReports(main);
  if (self.length > 0) {
    const kinds = [...new Set(self.map((s) => s.questionId))];
    lines.push('');
    lines.push(`self-reports: the number the model states (0-100), mean over seeds [${conf}% Student-t interval over seeds]`);
    lines.push(...grid(kinds.map((k) => k.slice(SELF_REPORT_PREFIX.length)), columns.filter((c) => c.doc === main), (c, kind) => {
      const s = self.find((x) => x.group === c.group.name && x.questionId === `${SELF_REPORT_PREFIX}${kind}`);
      if (!s || s.estimate === null) return '–';
      return s.lo === null || s.hi === null ? s.estimate.toFixed(1) : `${s.estimate.toFixed(1)} [${s.lo.toFixed(1)}, ${s.hi.toFixed(1)}]`;
    }, width));
  }
  for (const w of [...main.warnings, ...(triggered?.warnings ?? [])]) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

function meanAlignment(doc: ResultsDocument, members: readonly string[]): string {
  const values = members.map((m) => doc.overall.find((o) => o.model === m)?.meanAlignment ?? null).filter((v): v is number => v !== null);
  return values.length === 0 ? '–' : (values.reduce((a, b) => a + b, 0) / values.length).toFixed(1);
}

function shareInterval(e: Pick<GroupEstimate, 'estimate' | 'lo' | 'hi'>, withPercent = true): string {
  if (e.estimate === null) return '–';
  const point = withPercent ? formatPercent(e.estimate) : (e.estimate * 100).toFixed(1);
  return e.lo === null || e.hi === null ? point : `${point} [${(e.lo * 100).toFixed(1)}, ${(e.hi * 100).toFixed(1)}]`;
}

/** Rows x columns, split into several tables when the columns do not fit the width. */
function grid(rows: string[], columns: Column[], cell: (c: Column, row: string) => string, width: number): string[] {
  const labelWidth = Math.min(20, Math.max(8, ...rows.map((r) => r.length))) + 2;
  const texts = rows.map((r) => columns.map((c) => cell(c, r)));
  const cellWidth = Math.max(8, ...columns.map((c) => c.label.length), ...texts.flat().map((t) => [...t].length)) + 2;
  const perTable = Math.max(1, Math.floor((width - labelWidth) / cellWidth));
  const out: string[] = [];
  for (let start = 0; start < columns.length; start += perTable) {
    const slice = columns.slice(start, start + perTable);
    if (start > 0) out.push('');
    out.push((pad('', labelWidth) + slice.map((c) => pad(c.label, cellWidth, true)).join('')).trimEnd());
    rows.forEach((r, i) => out.push((pad(abbreviate(r, labelWidth - 2), labelWidth) + slice.map((_, j) => pad(texts[i]![start + j]!, cellWidth, true)).join('')).trimEnd()));
  }
  return out;
}

function pad(text: string, width: number, right = false): string {
  const len = [...text].length;
  if (len >= width) return right ? ` ${text}` : `${text} `;
  return right ? ' '.repeat(width - len) + text : text + ' '.repeat(width - len);
}
