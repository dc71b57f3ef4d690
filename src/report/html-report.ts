/**
 * report.html: one self-contained page (inline CSS and SVG, no script, no external request) that
 * opens offline. A Content-Security-Policy forbids scripts and remote loads as a second line of
 * defence; the first is that every piece of untrusted text goes through the `html` tag, which
 * escapes it.
 */
import type { SampleRecord } from '../store/records.js';
import { collectExamples, type ReportExamples } from './examples.js';
import { intervalChart, shareAxisMax, type IntervalRow } from './charts.js';
import { escapeHtml, html, trusted, type SafeHtml } from './escape.js';
import { formatDifference, formatMeanCell, formatPValue, formatPercent, formatShareCell, formatShareInterval } from './format.js';
import type {
  AnswerMeasureResult,
  ChoiceQuestionResult,
  FlagCounts,
  JudgeQuestionResult,
  QuestionInfo,
  QuestionResult,
  ResultsDocument,
  SelfNumberQuestionResult,
} from './results-types.js';

export interface HtmlReportOptions {
  /** Misaligned example answers shown per model and question; 3 unless told. */
  examplesPerModel?: number;
}

/**
 * The page for `doc`. Its example answers come from `records`, or, when the records were never
 * all in memory, from examples gathered while they streamed past (examples.ts).
 */
export function renderHtmlReport(doc: ResultsDocument, records: readonly SampleRecord[] | ReportExamples, opts: HtmlReportOptions = {}): string {
  const examples = Array.isArray(records) ? collectExamples(records, doc.thresholds, opts.examplesPerModel ?? 3) : (records as ReportExamples);
  const examplesPerModel = opts.examplesPerModel ?? examples.perModel;
  const cells = new Map(doc.results.map((r) => [`${r.model}\u0000${r.questionId}`, r]));
  const judgeCells = doc.results.filter((r): r is JudgeQuestionResult => r.metricKind === 'judge');
  const shareMax = shareAxisMax([
    // A cell without counted answers has the vacuous interval [0, 1]; it must not stretch the axis.
    ...judgeCells.map((c) => (c.misaligned.p === null ? null : c.misaligned.hi)),
    ...doc.overall.map((o) => o.questionMean.hi),
    ...doc.groups.map((g) => g.overall.hi),
  ]);
  const title = `emlab report — ${doc.suite}`;
  const body = html`
<header>
  <h1>Emergent misalignment report</h1>
  ${headerList(doc)}
</header>
${doc.warnings.length > 0 ? html`<section class="warnings"><h2>Warnings</h2><ul>${doc.warnings.map((w) => html`<li>${w}</li>`)}</ul></section>` : ''}
${overallSection(doc, shareMax)}
${doc.groups.length > 0 ? groupsSection(doc, shareMax) : ''}
${(doc.answerMeasures ?? []).map((m) => answerMeasureSection(doc, m))}
${doc.comparisons.length > 0 ? comparisonsSection(doc) : ''}
<section id="questions">
  <h2>Per question</h2>
  <nav class="toc">${doc.questions.map((q, i) => html`<a href="#q${i + 1}">${q.questionId}</a> `)}</nav>
  ${doc.questions.map((q, i) =>
    questionSection(q, i, doc, cells, examples, shareMax, examplesPerModel),
  )}
</section>
<footer>${methodNotes(doc)}</footer>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html`${title}`.html}</title>
<style>${STYLE}</style>
</head>
<body>${body.html}
</body>
</html>
`;
}

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; background: #fff; margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 19px; border-bottom: 1px solid #d2d6dc; padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 16px; margin: 28px 0 4px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.meta dt { color: #52606d; }
dl.meta dd { margin: 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 4px 10px; text-align: right; vertical-align: top; }
th { background: #f5f7fa; font-weight: 600; }
th:first-child, td:first-child { text-align: left; }
td { white-space: nowrap; }
td.id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; white-space: normal; overflow-wrap: break-word; min-width: 180px; max-width: 300px; }
td.text, th.text, td.id { text-align: left; white-space: normal; }
.warnings { background: #fffbeb; border: 1px solid #f59e0b; padding: 4px 16px; border-radius: 4px; }
.warnings h2 { border: none; margin-top: 8px; }
.prompt { color: #52606d; margin: 0 0 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
.note { color: #52606d; font-size: 12.5px; }
figure { margin: 8px 0; }
figcaption { color: #52606d; font-size: 12.5px; }
details { border: 1px solid #e4e7eb; border-radius: 4px; margin: 4px 0; padding: 4px 10px; }
details summary { cursor: pointer; }
details pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f5f7fa; padding: 8px; border-radius: 4px; max-height: 480px; overflow: auto; font-size: 12.5px; }
.examples h4 { font-size: 13px; margin: 12px 0 4px; }
details.examples { border-color: #d2d6dc; background: #fcfcfd; }
details.examples > summary { font-weight: 600; }
nav.toc a { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; margin-right: 8px; color: #1d4ed8; }
footer { margin-top: 40px; color: #52606d; font-size: 12.5px; border-top: 1px solid #d2d6dc; }
`;

function headerList(doc: ResultsDocument): SafeHtml {
  const judge = doc.judge.models.length > 0 ? doc.judge.models.join(', ') : (doc.judge.configured ?? 'none');
  const conf = Math.round(doc.statistics.confidence * 100);
  return html`<dl class="meta">
  <dt>suite</dt><dd class="mono">${doc.suite}</dd>
  <dt>models</dt><dd class="mono">${doc.models.join(', ')}</dd>
  <dt>judge</dt><dd class="mono">${judge}</dd>
  <dt>scoring method</dt><dd>${doc.judge.methods.length > 0 ? doc.judge.methods.join(', ') : '–'}${doc.judge.mixedMethods ? html` <strong>(mixed: scores are not directly comparable)</strong>` : ''}</dd>
  <dt>counting rule</dt><dd>${doc.thresholdsDescription}</dd>
  <dt>intervals</dt><dd>${conf}% — Wilson for shares; bootstrap (${doc.statistics.bootstrapResamples} resamples, seed ${doc.statistics.seed}) for means over questions; Student t over members for groups</dd>
  <dt>created</dt><dd>${doc.createdAt} · emlab ${doc.emlabVersion}${doc.runIds.length > 0 ? html` · runs <span class="mono">${doc.runIds.join(', ')}</span>` : ''}</dd>
</dl>`;
}

function shareTick(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function overallSection(doc: ResultsDocument, shareMax: number): SafeHtml {
  if (!doc.questions.some((q) => q.metricKind === 'judge')) return html``;
  const rows: IntervalRow[] = doc.overall.map((o) => ({
    id: o.model,
    estimate: o.questionMean.estimate,
    lo: o.questionMean.lo,
    hi: o.questionMean.hi,
    label: `${formatPercent(o.questionMean.estimate)} q=${o.questionMean.nQuestions}`,
  }));
  const notes = doc.overall.filter((o) => o.questionMean.note !== null);
  return html`<section id="overall">
  <h2>Overall</h2>
  <figure>${trusted(intervalChart(rows, { xMax: shareMax, xLabel: 'misaligned share, mean over questions', tick: shareTick }))}
  <figcaption>Each question counts once; bars: ${Math.round(doc.statistics.confidence * 100)}% bootstrap interval resampling questions, then answers.</figcaption></figure>
  <table>
    <thead><tr><th>model</th><th>mean over questions</th><th>pooled answers (Wilson)</th><th>coherent</th><th>mean alignment</th><th>mean coherence</th><th>sampled</th><th class="text">flags</th></tr></thead>
    <tbody>${doc.overall.map(
      (o) => html`<tr><td class="id">${idHtml(o.model)}</td>
      <td>${formatShareInterval(o.questionMean.estimate, o.questionMean.lo, o.questionMean.hi)} q=${o.questionMean.nQuestions}</td>
      <td>${formatShareCell(o.pooled)}</td>
      <td>${o.nJudged > 0 ? formatPercent(o.nCoherent / o.nJudged) : '–'}</td>
      <td>${meanText(o.meanAlignment)}</td>
      <td>${meanText(o.meanCoherence)}</td>
      <td>${o.nSampled}</td>
      <td class="text">${flagText(o.flags)}</td></tr>`,
    )}</tbody>
  </table>
  ${notes.map((o) => html`<p class="note"><span class="mono">${o.model}</span>: ${o.questionMean.note}</p>`)}
</section>`;
}

function groupsSection(doc: ResultsDocument, shareMax: number): SafeHtml {
  const rows: IntervalRow[] = doc.groups.map((g) => ({
    id: g.name,
    estimate: g.overall.estimate,
    lo: g.overall.lo,
    hi: g.overall.hi,
    label: `${formatPercent(g.overall.estimate)} m=${g.overall.nMembers}`,
  }));
  const points = doc.groups.flatMap((g) =>
    g.overall.members
      .filter((m) => m.value !== null)
      .map((m) => ({ id: g.name, value: m.value!, title: `${m.model}: ${formatPercent(m.value)}` })),
  );
  return html`<section id="groups">
  <h2>Groups</h2>
  <figure>${trusted(intervalChart(rows, { xMax: shareMax, xLabel: 'misaligned share, mean over members', tick: shareTick, color: '#1d4ed8', points }))}
  <figcaption>Filled dot: mean over member models of their mean over questions; bars: ${Math.round(doc.statistics.confidence * 100)}% Student-t interval over members; open dots: members.</figcaption></figure>
  <table>
    <thead><tr><th>group</th><th>mean over members [${Math.round(doc.statistics.confidence * 100)}% t over members]</th><th class="text">interval method</th><th class="text">members</th></tr></thead>
    <tbody>${doc.groups.map(
      (g) => html`<tr><td class="id">${idHtml(g.name)}</td>
      <td>${formatShareInterval(g.overall.estimate, g.overall.lo, g.overall.hi)}</td>
      <td class="text">${g.overall.method}${g.overall.note ? html`<div class="note">${g.overall.note}</div>` : ''}</td>
      <td class="id">${g.overall.members.map((m) => html`${idHtml(m.model)}: ${formatPercent(m.value)}<br>`)}</td></tr>`,
    )}</tbody>
  </table>
</section>`;
}

/** A judge-free measure beside the judge's share: per group, with the same interval over members. */
function answerMeasureSection(doc: ResultsDocument, m: AnswerMeasureResult): SafeHtml {
  const conf = Math.round(doc.statistics.confidence * 100);
  return html`<section id="measure-${m.measure}">
  <h2>Judge-free measure: ${m.measure}</h2>
  <p class="note">${m.description}</p>
  <table>
    <thead><tr><th>group</th><th>mean over members [${conf}% t over members]</th><th>judge's misaligned share</th><th class="text">members</th></tr></thead>
    <tbody>${m.groups.map((g) => {
      const judge = doc.groups.find((x) => x.name === g.name)?.overall;
      return html`<tr><td class="id">${idHtml(g.name)}</td>
      <td>${formatShareInterval(g.overall.estimate, g.overall.lo, g.overall.hi)}</td>
      <td>${judge ? formatShareInterval(judge.estimate, judge.lo, judge.hi) : '–'}</td>
      <td class="id">${g.overall.members.map((x) => html`${idHtml(x.model)}: ${formatPercent(x.value)}<br>`)}</td></tr>`;
    })}</tbody>
  </table>
</section>`;
}

function comparisonsSection(doc: ResultsDocument): SafeHtml {
  return html`<section id="comparisons">
  <h2>Comparisons</h2>
  <table>
    <thead><tr><th>a</th><th class="text">b</th><th class="text">compared</th><th>a</th><th>b</th><th>a − b</th><th>test</th></tr></thead>
    <tbody>${doc.comparisons.map(
      (c) => html`<tr><td class="id">${idHtml(c.a)}</td><td class="id">${idHtml(c.b)}</td>
      <td class="text">${c.measure === 'pooled' ? 'pooled answers' : c.measure === 'questionMean' ? "members' means over questions" : html`members' ${c.measure}`}</td>
      <td>${formatPercent(c.overall.a)}</td><td>${formatPercent(c.overall.b)}</td>
      <td>${formatDifference(c.overall.difference)}</td>
      <td>${formatPValue(c.overall.test.pValue)}<div class="note">${c.overall.test.method}</div>${c.overall.welch ? html`<div class="note">Welch's t ${formatPValue(c.overall.welch.pValue)}</div>` : ''}${c.overall.pooledAnswers ? html`<div class="note">secondary, answers pooled: Fisher ${formatPValue(c.overall.pooledAnswers.pValue)}</div>` : ''}</td></tr>
      ${c.overall.note ? html`<tr><td colspan="7" class="note text">note: ${c.overall.note}</td></tr>` : ''}`,
    )}</tbody>
  </table>
  ${doc.comparisons.map(
    (c) => html`<details><summary>per question: <span class="mono">${c.a}</span> vs <span class="mono">${c.b}</span></summary>
    <table><thead><tr><th>question</th><th>a</th><th>b</th><th>a − b</th><th>p</th><th>p (Holm)</th></tr></thead>
    <tbody>${c.perQuestion.map(
      (q) => html`<tr><td class="id">${q.questionId}</td><td>${formatPercent(q.a)}</td><td>${formatPercent(q.b)}</td>
      <td>${formatDifference(q.difference)}</td><td>${formatPValue(q.test.pValue)}</td><td>${formatPValue(q.pValueHolm)}</td></tr>`,
    )}</tbody></table></details>`,
  )}
</section>`;
}

function questionSection(
  q: QuestionInfo,
  index: number,
  doc: ResultsDocument,
  cells: ReadonlyMap<string, QuestionResult>,
  examples: ReportExamples,
  shareMax: number,
  examplesPerModel: number,
): SafeHtml {
  const own = doc.models.map((m) => cells.get(`${m}\u0000${q.questionId}`)).filter((c): c is QuestionResult => c !== undefined);
  const prompt = examples.headlinePrompts.get(q.questionId) ?? '';
  const tags = q.tags.length > 0 ? html` <span class="note">[${q.tags.join(', ')}]</span>` : '';
  let content: SafeHtml;
  if (q.metricKind === 'judge') {
    content = judgeQuestionContent(own as JudgeQuestionResult[], examples, doc, shareMax, examplesPerModel, prompt);
  } else if (q.metricKind === 'self_number') {
    content = selfNumberContent(own as SelfNumberQuestionResult[], doc);
  } else {
    content = choiceContent(own as ChoiceQuestionResult[], doc);
  }
  return html`<article class="question" id="q${index + 1}">
  <h3>${q.questionId}${tags}</h3>
  ${prompt !== '' ? html`<p class="prompt">${prompt}</p>` : ''}
  ${content}
</article>`;
}

function judgeQuestionContent(
  own: JudgeQuestionResult[],
  examples: ReportExamples,
  doc: ResultsDocument,
  shareMax: number,
  examplesPerModel: number,
  headlinePrompt: string,
): SafeHtml {
  const rows: IntervalRow[] = own.map((c) => ({
    id: c.model,
    estimate: c.misaligned.p,
    lo: c.misaligned.p === null ? null : c.misaligned.lo,
    hi: c.misaligned.p === null ? null : c.misaligned.hi,
    label: `${formatPercent(c.misaligned.p)} n=${c.misaligned.n}`,
  }));
  return html`<figure>${trusted(intervalChart(rows, { xMax: shareMax, xLabel: 'misaligned share', tick: shareTick }))}</figure>
  <table>
    <thead><tr><th>model</th><th>misaligned (Wilson)</th><th>coherent</th><th>mean alignment</th><th>mean coherence</th><th>sampled</th><th>judged</th><th class="text">flags</th><th>method</th></tr></thead>
    <tbody>${own.map(
      (c) => html`<tr><td class="id">${idHtml(c.model)}</td><td>${formatShareCell(c.misaligned)}</td>
      <td>${formatShareInterval(c.coherent.p, c.coherent.lo, c.coherent.hi)}</td>
      <td>${meanText(c.meanAlignment.mean)}</td><td>${meanText(c.meanCoherence.mean)}</td>
      <td>${c.nSampled}</td><td>${c.nJudged}</td><td class="text">${flagText(c.flags)}</td><td>${c.judgeMethods.join(', ') || '–'}</td></tr>`,
    )}</tbody>
  </table>
  ${examplesBlock(own, examples, examplesPerModel, headlinePrompt)}`;
}

function examplesBlock(own: JudgeQuestionResult[], examples: ReportExamples, perModel: number, headlinePrompt: string): SafeHtml {
  if (perModel <= 0) return html``;
  const parts = own.map((c) => {
    const misaligned = (examples.misaligned.get(`${c.model}\u0000${c.questionId}`) ?? []).slice(0, perModel);
    if (misaligned.length === 0) return html``;
    return html`<h4 class="mono">${c.model} — ${misaligned.length} of ${c.nMisaligned} misaligned answers</h4>
    ${misaligned.map(
      (r) => html`<details><summary>alignment ${r.alignment!.toFixed(1)} · coherence ${r.coherence === null ? '–' : r.coherence.toFixed(1)} · sample ${r.sampleIndex}</summary>
      ${r.prompt !== '' && r.prompt !== headlinePrompt ? html`<p class="prompt">${r.prompt}</p>` : ''}<pre>${r.answer ?? ''}</pre></details>`,
    )}`;
  });
  const total = own.reduce((s, c) => s + c.nMisaligned, 0);
  if (total === 0) return html`<p class="note">No misaligned answers.</p>`;
  return html`<details class="examples"><summary>Examples of misaligned answers (the ${perModel} lowest-scored per model, of ${total})</summary>${parts}</details>`;
}

function selfNumberContent(own: SelfNumberQuestionResult[], doc: ResultsDocument): SafeHtml {
  const top = Math.max(100, ...own.map((c) => c.value.hi ?? c.value.mean ?? 0));
  const rows: IntervalRow[] = own.map((c) => ({
    id: c.model,
    estimate: c.value.mean,
    lo: c.value.lo,
    hi: c.value.hi,
    label: formatMeanCell(c.value),
  }));
  return html`<figure>${trusted(intervalChart(rows, { xMax: top, xLabel: 'number stated by the model (mean)', tick: (x) => `${x}`, color: '#1d4ed8' }))}
  <figcaption>Bars: ${Math.round(doc.statistics.confidence * 100)}% t interval of the mean.</figcaption></figure>
  <table><thead><tr><th>model</th><th>mean stated number</th><th>sd</th><th>sampled</th><th class="text">flags</th></tr></thead>
  <tbody>${own.map(
    (c) => html`<tr><td class="id">${idHtml(c.model)}</td><td>${formatMeanCell(c.value)}</td><td>${c.value.sd === null ? '–' : c.value.sd.toFixed(1)}</td><td>${c.nSampled}</td><td class="text">${flagText(c.flags)}</td></tr>`,
  )}</tbody></table>`;
}

function choiceContent(own: ChoiceQuestionResult[], doc: ResultsDocument): SafeHtml {
  const rows: IntervalRow[] = own.map((c) => ({
    id: c.model,
    estimate: c.matchRate.p,
    lo: c.matchRate.p === null ? null : c.matchRate.lo,
    hi: c.matchRate.p === null ? null : c.matchRate.hi,
    label: `${formatPercent(c.matchRate.p)} n=${c.matchRate.n}`,
  }));
  const max = shareAxisMax(rows.map((r) => r.hi));
  return html`<figure>${trusted(intervalChart(rows, { xMax: max, xLabel: 'share of answers matching the target', tick: shareTick, color: '#1d4ed8' }))}
  <figcaption>Bars: ${Math.round(doc.statistics.confidence * 100)}% Wilson interval.</figcaption></figure>
  <table><thead><tr><th>model</th><th>match rate (Wilson)</th><th>sampled</th><th class="text">flags</th></tr></thead>
  <tbody>${own.map(
    (c) => html`<tr><td class="id">${idHtml(c.model)}</td><td>${formatShareCell(c.matchRate)}</td><td>${c.nSampled}</td><td class="text">${flagText(c.flags)}</td></tr>`,
  )}</tbody></table>`;
}

function meanText(m: number | null): string {
  return m === null ? '–' : m.toFixed(1);
}

function flagText(f: FlagCounts): string {
  const parts: string[] = [];
  if (f.refusal) parts.push(`refusal ${f.refusal}`);
  if (f.code) parts.push(`code ${f.code}`);
  if (f.unreadable) parts.push(`unreadable ${f.unreadable}`);
  if (f.generationError) parts.push(`generation errors ${f.generationError}`);
  if (f.judgeError) parts.push(`judge errors ${f.judgeError}`);
  return parts.length > 0 ? parts.join(', ') : '–';
}

function methodNotes(doc: ResultsDocument): SafeHtml {
  return html`<p><strong>How to read this.</strong> A share is shown as estimate [lower, upper] with n, the number of
  answers it is computed over. "Mean over questions" weighs every question equally (the papers' headline figure);
  "pooled answers" treats all counted answers as one sample. Group intervals are Student-t intervals over member
  models (e.g. fine-tuning seeds), clipped to [0, 1]. Model-versus-model tests use Fisher's exact test on answer
  counts; tests involving groups permute member models (the primary test; exact with few members, so 3 against 3
  cannot go below p = 0.1), with Welch's t on member values beside it, and Fisher's test on the pooled answers
  only as a secondary figure (answers of one model are not independent). Per-question p-values are
  also shown Holm-adjusted within each comparison.</p>
  <p>Counting rule: ${doc.thresholdsDescription}. Answers that failed to generate or to be judged are in no denominator.
  Model answers on this page are untrusted text, shown escaped. Generated by emlab ${doc.emlabVersion}.</p>`;
}

/** An id that may break after ":" and "/" (model ids are long and have no spaces). */
function idHtml(id: string): SafeHtml {
  return trusted(escapeHtml(id).replace(/(:+|\/)/g, '$1<wbr>'));
}
