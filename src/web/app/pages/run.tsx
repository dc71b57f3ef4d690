import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { RunResponse } from '../../api-types.js';
import type { ChoiceQuestionResult, JudgeQuestionResult, SelfNumberQuestionResult } from '../../../report/results-types.js';
import { formatMeanCell, formatPercent, formatShareCell, formatShareInterval } from '../../../report/format.js';
import { alignmentCoherence, groupChart, misalignedByQuestion, PlotBox, scoreHistogram, toScatterPoints } from '../charts.js';
import { useApi, useLive } from '../live.js';
import { href, navigate } from '../router.js';
import { Id, Inert, visible } from '../text.js';

const WIDTH = 1100;

/** The parameters that shape a run's numbers, carried into every link from the page. */
export function runParams(params: URLSearchParams): Record<string, string | string[] | undefined> {
  return { run: params.get('run') ?? undefined, db: params.get('db') ?? undefined, thresholds: params.get('thresholds') ?? undefined, group: params.getAll('group') };
}

export function RunPage({ params }: { params: URLSearchParams }) {
  const { data, error } = useApi<RunResponse>('/api/run', params);
  const [model, setModel] = useState<string>('');
  if (error !== null) return <p class="bad"><Inert text={error} /></p>;
  if (data === null) return <p class="note">Loading…</p>;
  const { doc, run } = data;
  const base = runParams(params);
  const setThresholds = (t: string): void => navigate(href('/run', { ...base, thresholds: t }), true);
  const judgeCells = doc.results.filter((c): c is JudgeQuestionResult => c.metricKind === 'judge');
  const otherCells = doc.results.filter((c): c is SelfNumberQuestionResult | ChoiceQuestionResult => c.metricKind !== 'judge');
  const points = toScatterPoints(doc, data.points, model === '' ? null : model);
  const judgeQuestions = doc.questions.filter((q) => q.metricKind === 'judge').map((q) => q.questionId);
  return (
    <section>
      <h1>Run <span class="mono">{run.id.slice(0, 12)}</span> <span class={`status ${run.status}`}>{run.status}</span></h1>
      <dl class="meta">
        <dt>suites</dt><dd><Inert text={doc.suite} /></dd>
        <dt>judge</dt><dd><Id text={doc.judge.models.join(', ') || (doc.judge.configured ?? 'none')} /> · {doc.judge.methods.join(', ') || '–'}</dd>
        <dt>answers</dt><dd>{run.answered} of {run.planned} planned{run.failed > 0 ? `, ${run.failed} failed` : ''}</dd>
        <dt>counting rule</dt>
        <dd>
          <select aria-label="counting rule" value={doc.thresholds.preset} onChange={(e) => setThresholds((e.target as HTMLSelectElement).value)}>
            <option value="betley">betley (the paper)</option>
            <option value="organisms">organisms (model-organisms code)</option>
          </select>{' '}
          <Inert text={doc.thresholdsDescription} />
        </dd>
        <dt>database</dt><dd><Id text={run.dbPath} /></dd>
      </dl>
      {doc.warnings.length > 0 && (
        <div class="warn"><strong>Warnings</strong><ul>{doc.warnings.map((w, i) => <li key={i}><Inert text={w} /></li>)}</ul></div>
      )}

      {judgeCells.length > 0 && (
        <>
          <h2>Misaligned answers per question</h2>
          <PlotBox label="misaligned share per question and model" make={() => misalignedByQuestion(doc, WIDTH)} deps={[doc]} />
          <p class="note">Dots: share of counted answers judged misaligned; bars: {Math.round(doc.statistics.confidence * 100)}% Wilson intervals. Hover a dot for its n.</p>

          <h2>Overall</h2>
          <table>
            <thead><tr><th>model</th><th>mean over questions</th><th>pooled answers</th><th>mean alignment</th><th>mean coherence</th><th>flags</th><th /></tr></thead>
            <tbody>
              {doc.overall.map((o) => (
                <tr key={o.model}>
                  <td class="id"><Id text={o.model} /></td>
                  <td class="num">{formatShareInterval(o.questionMean.estimate, o.questionMean.lo, o.questionMean.hi)} q={o.questionMean.nQuestions}</td>
                  <td class="num">{formatShareCell(o.pooled)}</td>
                  <td class="num">{o.meanAlignment === null ? '–' : o.meanAlignment.toFixed(1)}</td>
                  <td class="num">{o.meanCoherence === null ? '–' : o.meanCoherence.toFixed(1)}</td>
                  <td class="note">refusal {o.flags.refusal} · code {o.flags.code} · unreadable {o.flags.unreadable} · failed {o.flags.generationError + o.flags.judgeError}</td>
                  <td><a href={href('/samples', { ...base, model: o.model, flag: 'misaligned' })}>misaligned answers</a></td>
                </tr>
              ))}
            </tbody>
          </table>

          <h2>Per question</h2>
          <QuestionMatrix
            corner="model"
            rows={doc.models}
            questions={judgeQuestions}
            cell={(m, q) => {
              const c = judgeCells.find((x) => x.model === m && x.questionId === q);
              if (!c) return '–';
              return (
                <span title={visible(`${m} · ${q}: ${formatShareCell(c.misaligned)}`)}>
                  <a href={href('/samples', { ...base, model: m, question: q })}>{formatPercent(c.misaligned.p)}</a>
                  <div class="note">n={c.misaligned.n}</div>
                </span>
              );
            }}
          />
          <p class="note">Misaligned share of each model on each question (the interval is in the figure and in the tooltip); a cell opens its answers.</p>

          <h2>Alignment and coherence</h2>
          <label>
            model{' '}
            <select aria-label="model for the scatter and histograms" value={model} onChange={(e) => setModel((e.target as HTMLSelectElement).value)}>
              <option value="">all models</option>
              {doc.models.map((m) => <option key={m} value={m}>{visible(m)}</option>)}
            </select>
          </label>
          <div class="row">
            <PlotBox label="alignment against coherence" make={() => alignmentCoherence(points, doc, 520)} deps={[points]} />
            <div>
              <PlotBox label="histogram of alignment scores" make={() => scoreHistogram(points, 'alignment', 500)} deps={[points]} />
              <PlotBox label="histogram of coherence scores" make={() => scoreHistogram(points, 'coherence', 500)} deps={[points]} />
            </div>
          </div>
          <p class="note">{points.length} answers with both scores. Dashed lines: the counting rule's alignment and coherence cut-offs.</p>
        </>
      )}

      {doc.groups.length > 0 && (
        <>
          <h2>Groups (seeds)</h2>
          <PlotBox label="group means with intervals over members" make={() => groupChart(doc, WIDTH)} deps={[doc]} />
          <table>
            <thead><tr><th>group</th><th>mean over members</th><th>members</th><th>interval</th><th /></tr></thead>
            <tbody>
              {doc.groups.map((g) => (
                <tr key={g.name}>
                  <td class="id"><Id text={g.name} /></td>
                  <td class="num">{formatShareInterval(g.overall.estimate, g.overall.lo, g.overall.hi)} m={g.overall.nMembers}</td>
                  <td class="id">{g.overall.members.map((m) => <div key={m.model}><Id text={m.model} />: {formatPercent(m.value)}</div>)}</td>
                  <td class="note">{g.overall.method}{g.overall.note !== null && <div><Inert text={g.overall.note} /></div>}</td>
                  <td><a href={href('/samples', { ...base, model: g.members })}>answers</a></td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Per question</h3>
          <QuestionMatrix
            corner="group"
            rows={doc.groups.map((g) => g.name)}
            questions={judgeQuestions}
            cell={(name, q) => {
              const e = doc.groups.find((g) => g.name === name)?.perQuestion.find((x) => x.questionId === q);
              if (!e) return '–';
              return (
                <>
                  {formatPercent(e.estimate)}
                  {e.lo !== null && e.hi !== null && <div class="note">[{(e.lo * 100).toFixed(1)}, {(e.hi * 100).toFixed(1)}]</div>}
                </>
              );
            }}
          />
          <p class="note">{data.groupsFrom === 'results.json' ? "Groups as the run's results.json names them" : 'Groups are the models whose ids differ only in a seed (…-s1, …-s2)'}, and any given as <code>?group=name=a,b</code> in the address. Intervals: {Math.round(doc.statistics.confidence * 100)}% Student-t over seeds (the member models), as <code>emlab report</code> computes them; a group of one member keeps its own interval.</p>
        </>
      )}

      {otherCells.length > 0 && (
        <>
          <h2>Self-reports and choices</h2>
          <table>
            <thead><tr><th>model</th><th>question</th><th>value</th></tr></thead>
            <tbody>
              {otherCells.map((c) => (
                <tr key={`${c.model}/${c.questionId}`}>
                  <td class="id"><Id text={c.model} /></td>
                  <td class="id"><a href={href('/samples', { ...base, model: c.model, question: c.questionId })}><Id text={c.questionId} /></a></td>
                  <td class="num">{c.metricKind === 'self_number' ? formatMeanCell(c.value) : `${formatShareCell(c.matchRate)} matched`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <CompareForm params={params} models={doc.models} groups={doc.groups.map((g) => g.name)} />
    </section>
  );
}

/** A table with one row per model or group and one column per question. */
function QuestionMatrix({ corner, rows, questions, cell }: { corner: string; rows: string[]; questions: string[]; cell: (row: string, question: string) => ComponentChildren }) {
  return (
    <table class="matrix">
      <thead><tr><th>{corner}</th>{questions.map((q) => <th key={q} class="id"><Id text={q} /></th>)}</tr></thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row}>
            <td class="id"><Id text={row} /></td>
            {questions.map((q) => <td key={q} class="num">{cell(row, q)}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CompareForm({ params, models, groups }: { params: URLSearchParams; models: string[]; groups: string[] }) {
  const { runs } = useLive();
  const names = [...models, ...groups];
  const [a, setA] = useState(names[0] ?? '');
  const [b, setB] = useState(names[1] ?? names[0] ?? '');
  const [baseline, setBaseline] = useState('');
  const others = (runs?.runs ?? []).filter((r) => r.id !== params.get('run'));
  const baselineRun = others.find((r) => r.id === baseline);
  const bChoices = baselineRun ? baselineRun.models : names;
  const go = (e: Event): void => {
    e.preventDefault();
    const bName = bChoices.includes(b) ? b : (bChoices[0] ?? '');
    navigate(href('/compare', { ...runParams(params), a, b: bName, baseline: baseline || undefined, baselineDb: baselineRun?.db }));
  };
  return (
    <form class="compare-form" onSubmit={go}>
      <h2>Compare</h2>
      <label>a <select aria-label="a" value={a} onChange={(e) => setA((e.target as HTMLSelectElement).value)}>{names.map((n) => <option key={n} value={n}>{visible(n)}</option>)}</select></label>{' '}
      <label>against baseline run{' '}
        <select aria-label="baseline run" value={baseline} onChange={(e) => setBaseline((e.target as HTMLSelectElement).value)}>
          <option value="">(this run)</option>
          {others.map((r) => <option key={`${r.db}/${r.id}`} value={r.id}>{r.id.slice(0, 12)} · {visible(r.suites.join(', '))}</option>)}
        </select>
      </label>{' '}
      <label>b <select aria-label="b" value={bChoices.includes(b) ? b : (bChoices[0] ?? '')} onChange={(e) => setB((e.target as HTMLSelectElement).value)}>{bChoices.map((n) => <option key={n} value={n}>{visible(n)}</option>)}</select></label>{' '}
      <button type="submit">compare</button>
    </form>
  );
}
