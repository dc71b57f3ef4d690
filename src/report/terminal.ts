/**
 * The results as plain text for a terminal: per-question rows, one column per model (several
 * tables when the models do not fit the width), overall rows, groups, comparisons and the rule
 * that defined "misaligned". No colours: it must read the same in a CI log.
 */
import { showInvisible } from './escape.js';
import { abbreviate, formatDifference, formatMeanCell, formatPValue, formatShareCell, formatShareInterval } from './format.js';
import type { QuestionResult, ResultsDocument } from './results-types.js';

export interface TerminalOptions {
  /** Maximum line width; 100 unless told. */
  width?: number;
}

const SEPARATOR = ' │ ';

export function renderTerminalTable(doc: ResultsDocument, opts: TerminalOptions = {}): string {
  const width = Math.max(60, opts.width ?? 100);
  const lines: string[] = [];
  const conf = Math.round(doc.statistics.confidence * 100);
  const judge = doc.judge.models.length > 0 ? doc.judge.models.join(', ') : (doc.judge.configured ?? 'none');
  const methods = doc.judge.methods.length > 0 ? ` (${doc.judge.methods.join(', ')})` : '';
  lines.push(...wrap(`emlab ${doc.emlabVersion} · suite ${doc.suite} · judge ${judge}${methods} · ${doc.createdAt}`, width, ''));
  lines.push(...wrap(doc.thresholdsDescription, width, ''));
  lines.push(`cells: misaligned share [${conf}% Wilson interval] n = counted answers`);
  lines.push('');

  const cellByKey = new Map(doc.results.map((r) => [`${r.model}\u0000${r.questionId}`, r]));
  const judgeQuestions = doc.questions.filter((q) => q.metricKind === 'judge');
  const otherQuestions = doc.questions.filter((q) => q.metricKind !== 'judge');
  const overallByModel = new Map(doc.overall.map((o) => [o.model, o]));

  const rowLabels = [
    ...doc.questions.map((q) => q.questionId + kindSuffix(q.metricKind)),
    'mean over questions ¹',
    'pooled answers ²',
  ];
  const labelWidth = Math.min(24, Math.max(...rowLabels.map((l) => [...l].length)));
  const cellText = (model: string, questionId: string): string => {
    const cell = cellByKey.get(`${model}\u0000${questionId}`);
    return cell ? formatCell(cell) : '–';
  };
  const overallCells = (model: string): [string, string] => {
    const o = overallByModel.get(model);
    if (!o) return ['–', '–'];
    const q = o.questionMean;
    return [`${formatShareInterval(q.estimate, q.lo, q.hi)} q=${q.nQuestions}`, formatShareCell(o.pooled)];
  };
  const allCells = doc.models.flatMap((m) => [...doc.questions.map((q) => cellText(m, q.questionId)), ...overallCells(m)]);
  const cellWidth = Math.min(32, Math.max(12, ...allCells.map((c) => [...c].length)));
  const perTable = Math.max(1, Math.floor((width - labelWidth) / (cellWidth + SEPARATOR.length)));

  const abbreviated = new Map<string, string>();
  for (let start = 0; start < doc.models.length; start += perTable) {
    const models = doc.models.slice(start, start + perTable);
    const heads = models.map((m) => {
      const short = abbreviate(m, cellWidth);
      if (short !== m) abbreviated.set(short, m);
      return short;
    });
    lines.push(row(abbreviate('question', labelWidth), heads, labelWidth, cellWidth));
    lines.push(rule(labelWidth, cellWidth, models.length));
    for (const q of judgeQuestions) {
      lines.push(row(abbreviate(q.questionId, labelWidth), models.map((m) => cellText(m, q.questionId)), labelWidth, cellWidth));
    }
    if (judgeQuestions.length > 0) {
      lines.push(rule(labelWidth, cellWidth, models.length));
      lines.push(row('mean over questions ¹', models.map((m) => overallCells(m)[0]), labelWidth, cellWidth));
      lines.push(row('pooled answers ²', models.map((m) => overallCells(m)[1]), labelWidth, cellWidth));
    }
    if (otherQuestions.length > 0) {
      lines.push(rule(labelWidth, cellWidth, models.length));
      for (const q of otherQuestions) {
        const label = abbreviate(q.questionId, labelWidth - [...kindSuffix(q.metricKind)].length) + kindSuffix(q.metricKind);
        lines.push(row(label, models.map((m) => cellText(m, q.questionId)), labelWidth, cellWidth));
      }
    }
    lines.push('');
  }
  for (const [short, full] of abbreviated) lines.push(`${short} = ${full}`);
  if (judgeQuestions.length > 0) {
    lines.push(`¹ each question counts once; interval: bootstrap over questions, then answers (q = questions)`);
    lines.push(`² all counted answers as one sample; Wilson interval`);
  }
  if (otherQuestions.some((q) => q.metricKind === 'self_number')) lines.push('(number): mean of the number the model stated [t interval]');
  if (otherQuestions.some((q) => q.metricKind === 'choice')) lines.push('(choice): share of answers matching the target [Wilson interval]');

  const wrapped = (text: string, indent: string): string[] => wrap(text, width, indent);
  if (doc.groups.length > 0) {
    lines.push('');
    lines.push(`groups (mean over members of their mean over questions) [${conf}% Student-t interval over members]:`);
    for (const g of doc.groups) {
      const o = g.overall;
      lines.push(...wrapped(`${abbreviate(g.name, 40)}: ${formatShareInterval(o.estimate, o.lo, o.hi)} members=${o.nMembers} (${o.method})`, '  '));
      if (o.note) lines.push(...wrapped(`note: ${o.note}`, '    '));
    }
  }
  if (doc.comparisons.length > 0) {
    lines.push('');
    lines.push('comparisons (a − b):');
    for (const c of doc.comparisons) {
      const how = c.kind === 'models' ? "pooled answers, Fisher's exact test" : `member models${c.measure === 'questionMean' ? '' : `, ${c.measure}`}, permutation test`;
      const names = `${abbreviate(c.a, 32)} vs ${abbreviate(c.b, 32)}`;
      lines.push(...wrapped(`${names}: ${formatDifference(c.overall.difference)}, ${formatPValue(c.overall.test.pValue)} (${how})`, '  '));
      const o = c.overall;
      if (o.welch) lines.push(...wrapped(`Welch's t on member values: ${formatPValue(o.welch.pValue)}${o.pooledAnswers ? `; secondary, answers pooled as if independent: Fisher ${formatPValue(o.pooledAnswers.pValue)}` : ''}`, '    '));
      if (c.overall.note) lines.push(...wrapped(`note: ${c.overall.note}`, '    '));
    }
  }
  if (doc.warnings.length > 0) {
    lines.push('');
    for (const w of doc.warnings) lines.push(...wrapped(`warning: ${w}`, ''));
  }
  // Ids, names and warnings come from the command line and the database (which may be tampered
  // with): a raw ESC or bidi override in them must not act on the terminal.
  return showInvisible(lines.join('\n').replace(/\n+$/, '')) + '\n';
}

/** Greedy word wrap; continuation lines get two more spaces of indent. */
function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let line = indent;
  for (const word of text.split(' ')) {
    const candidate = line.trim() === '' ? indent + word : `${line} ${word}`;
    if ([...candidate].length > width && line.trim() !== '') {
      out.push(line);
      line = `${indent}  ${word}`;
    } else {
      line = candidate;
    }
  }
  out.push(line);
  return out;
}

function kindSuffix(kind: string): string {
  return kind === 'self_number' ? ' (number)' : kind === 'choice' ? ' (choice)' : '';
}

function formatCell(cell: QuestionResult): string {
  switch (cell.metricKind) {
    case 'judge':
      return formatShareCell(cell.misaligned);
    case 'self_number':
      return formatMeanCell(cell.value);
    case 'choice':
      return formatShareCell(cell.matchRate);
  }
}

function pad(text: string, width: number, alignRight = false): string {
  const len = [...text].length;
  if (len >= width) return text;
  return alignRight ? ' '.repeat(width - len) + text : text + ' '.repeat(width - len);
}

function row(label: string, cells: string[], labelWidth: number, cellWidth: number): string {
  return [pad(label, labelWidth), ...cells.map((c) => pad(c, cellWidth, true))].join(SEPARATOR).trimEnd();
}

function rule(labelWidth: number, cellWidth: number, columns: number): string {
  return ['─'.repeat(labelWidth), ...Array.from({ length: columns }, () => '─'.repeat(cellWidth))].join('─┼─');
}
