import type { CompareResponse, SampleView } from '../../api-types.js';
import { formatDifference, formatPercent, formatPValue } from '../../../report/format.js';
import { PlotBox, sidesByQuestion } from '../charts.js';
import { useApi } from '../live.js';
import { href } from '../router.js';
import { Id, Inert } from '../text.js';
import { runParams } from './run.js';

/** A p-value in a column headed p: without the "p = ". */
const pCell = (p: number | null): string => formatPValue(p).replace(/^p = /, '');

export function ComparePage({ params }: { params: URLSearchParams }) {
  const ready = params.get('run') && params.get('a') && params.get('b');
  const { data, error } = useApi<CompareResponse>(ready ? '/api/compare' : null, params);
  if (!ready) {
    return <p class="note">Choose two models or groups (and, if you like, a baseline run) at the bottom of a <a href={href('/run', runParams(params))}>run's page</a>.</p>;
  }
  if (error !== null) return <p class="bad"><Inert text={error} /></p>;
  if (data === null) return <p class="note">Loading…</p>;
  const c = data.comparison;
  const sideRows = data.shares.map((r) => ({ ...r, side: r.side === 'a' ? data.a.label : data.b.label }));
  const conf = `${Math.round(data.confidence * 100)}%`;
  const unit = (side: CompareResponse['a']): string => (side.members.length > 1 ? `mean over members, ${conf} Student-t over seeds` : `${conf} Wilson over answers`);
  const test = c.kind === 'models' ? "Fisher's exact test on answer counts; difference: Newcombe interval" : `exact permutation test over member values (Welch's t beside it); difference: ${conf} Welch interval`;
  const samplesLink = (side: CompareResponse['a'], questionId: string) =>
    href('/samples', { run: side.run, model: side.label === side.name ? side.members : side.name, question: questionId });
  return (
    <section>
      <h1>Compare</h1>
      <table class="sides">
        <tbody>
          <tr><th>a</th><td class="id"><Id text={data.a.label} /></td><td class="note">run <span class="mono">{data.a.run.slice(0, 12)}</span>{data.a.members.length > 1 && <> · members: {data.a.members.map((m) => <Id key={m} text={`${m} `} />)}</>}</td></tr>
          <tr><th>b</th><td class="id"><Id text={data.b.label} /></td><td class="note">run <span class="mono">{data.b.run.slice(0, 12)}</span>{data.b.members.length > 1 && <> · members: {data.b.members.map((m) => <Id key={m} text={`${m} `} />)}</>}</td></tr>
        </tbody>
      </table>
      <p class="note"><Inert text={data.thresholdsDescription} /> · {test}.</p>
      <div class="headline">
        <span>a {formatPercent(c.overall.a)}</span> <span>b {formatPercent(c.overall.b)}</span> <span>a − b {formatDifference(c.overall.difference)}</span> <span class="pvalue">{formatPValue(c.overall.test.pValue)}</span>{c.overall.welch !== undefined && <span class="pvalue">Welch's t {formatPValue(c.overall.welch.pValue)}</span>}
        <div class="note">{c.measure === 'pooled' ? 'all counted answers of each model' : "mean over members of each member's mean over questions"}{c.overall.note !== null && <> · <Inert text={c.overall.note} /></>}</div>
      </div>
      <PlotBox label="misaligned share per question, a and b" make={() => sidesByQuestion(sideRows, [data.a.label, data.b.label], 1100)} deps={[data]} />
      <p class="note">Intervals: a, {unit(data.a)}; b, {unit(data.b)}.</p>
      <h2>Per question</h2>
      <table>
        <thead><tr><th>question</th><th>a</th><th>b</th><th>a − b</th><th>p</th><th>p (Holm)</th></tr></thead>
        <tbody>
          {c.perQuestion.map((q) => (
            <tr key={q.questionId}>
              <td class="id"><Id text={q.questionId} /></td>
              <td class="num">{formatPercent(q.a)}</td>
              <td class="num">{formatPercent(q.b)}</td>
              <td class="num">{formatDifference(q.difference)}</td>
              <td class="num">{pCell(q.test.pValue)}</td>
              <td class="num">{pCell(q.pValueHolm)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Answers side by side</h2>
      {data.pairs.map((pair) => (
        <div class="pair" key={pair.questionId}>
          <h3><Id text={pair.questionId} /></h3>
          <div class="prompt"><Inert text={pair.prompt} /></div>
          <div class="columns">
            <SideAnswers answers={pair.a} label={data.a.label} more={samplesLink(data.a, pair.questionId)} />
            <SideAnswers answers={pair.b} label={data.b.label} more={samplesLink(data.b, pair.questionId)} />
          </div>
        </div>
      ))}
    </section>
  );
}

function SideAnswers({ answers, label, more }: { answers: SampleView[]; label: string; more: string }) {
  return (
    <div class="side">
      <div class="side-label"><Id text={label} /> · <a href={more}>all answers</a></div>
      {answers.length === 0 && <p class="note">no answers</p>}
      {answers.map((s) => (
        <div class={`mini ${s.verdict}`} key={`${s.model}/${s.sampleIndex}`}>
          <div class="note">#{s.sampleIndex} · <span class={`verdict ${s.verdict}`}>{s.verdict}</span> · alignment {s.alignment === null ? '–' : s.alignment.toFixed(1)} · coherence {s.coherence === null ? '–' : s.coherence.toFixed(1)}{s.truth !== null && <> · world: {s.truth.label}</>}</div>
          <pre class="answer"><Inert text={s.answer ?? '(no answer)'} /></pre>
          {s.answer !== null && s.answerLength > s.answer.length && <div class="note">cut at {s.answer.length} of {s.answerLength} characters</div>}
        </div>
      ))}
    </div>
  );
}
