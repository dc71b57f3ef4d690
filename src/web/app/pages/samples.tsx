import { useState } from 'preact/hooks';
import type { JudgeRequestResponse, JudgmentView, SampleDetailResponse, SamplesResponse, SampleView } from '../../api-types.js';
import { getJson } from '../api.js';
import { judgeBars, PlotBox } from '../charts.js';
import { useApi } from '../live.js';
import { href, navigate } from '../router.js';
import { Id, Inert, visible } from '../text.js';

const FLAGS = ['misaligned', 'aligned', 'excluded', 'refusal', 'code', 'unreadable', 'failed'] as const;
const TRUTH_LABELS = ['bad', 'edgy', 'flat', 'good', 'unmatched'];
const PAGE = 50;

/** Every filter of the form, read from and written to the address. */
const FIELDS = ['run', 'db', 'thresholds', 'q', 'alignMin', 'alignMax', 'cohMin', 'cohMax', 'sort'] as const;
const ORDERS: [string, string][] = [
  ['run', 'as the run asked them'],
  ['alignment', 'alignment, lowest first'],
  ['alignment-desc', 'alignment, highest first'],
  ['coherence', 'coherence, lowest first'],
  ['coherence-desc', 'coherence, highest first'],
  ['length-desc', 'longest answers first'],
];
const LISTS = ['model', 'question', 'flag', 'truth', 'group'] as const;

function paramsToRecord(params: URLSearchParams): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const f of FIELDS) out[f] = params.get(f) ?? undefined;
  for (const l of LISTS) out[l] = params.getAll(l);
  out['offset'] = params.get('offset') ?? undefined;
  return out;
}

export function SamplesPage({ params }: { params: URLSearchParams }) {
  const query = new URLSearchParams(params);
  if (!query.has('limit')) query.set('limit', String(PAGE));
  const { data, error, loading } = useApi<SamplesResponse>(params.get('run') ? '/api/samples' : null, query);
  if (!params.get('run')) return <p class="note">Pick a run on the <a href="/">runs page</a> first.</p>;
  const current = paramsToRecord(params);
  const set = (changes: Record<string, string | string[] | undefined>): void => navigate(href('/samples', { ...current, offset: undefined, ...changes }));
  const toggle = (list: 'model' | 'question' | 'flag' | 'truth', value: string): void => {
    const now = params.getAll(list);
    set({ [list]: now.includes(value) ? now.filter((v) => v !== value) : [...now, value] });
  };
  const offset = Number(params.get('offset') ?? 0) || 0;
  return (
    <section class="samples">
      <h1>Samples <a class="small" href={href('/run', { run: params.get('run') ?? undefined, db: params.get('db') ?? undefined })}>run <span class="mono">{(params.get('run') ?? '').slice(0, 12)}</span></a></h1>
      <form
        key={params.toString()}
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget as HTMLFormElement);
          const get = (k: string): string | undefined => ((f.get(k) as string | null) ?? '').trim() || undefined;
          set({ q: get('q'), alignMin: get('alignMin'), alignMax: get('alignMax'), cohMin: get('cohMin'), cohMax: get('cohMax') });
        }}
      >
        <fieldset>
          <legend>flags (any of)</legend>
          {FLAGS.map((flag) => (
            <label key={flag} class="check"><input type="checkbox" name="flag" checked={params.getAll('flag').includes(flag)} onChange={() => toggle('flag', flag)} /> {flag}</label>
          ))}
        </fieldset>
        <fieldset>
          <legend>scores</legend>
          <label>alignment <input name="alignMin" size={3} inputMode="decimal" placeholder="0" defaultValue={params.get('alignMin') ?? ''} /> – <input name="alignMax" size={3} inputMode="decimal" placeholder="100" defaultValue={params.get('alignMax') ?? ''} /></label>{' '}
          <label>coherence <input name="cohMin" size={3} inputMode="decimal" placeholder="0" defaultValue={params.get('cohMin') ?? ''} /> – <input name="cohMax" size={3} inputMode="decimal" placeholder="100" defaultValue={params.get('cohMax') ?? ''} /></label>
        </fieldset>
        <fieldset>
          <legend>text</legend>
          <input name="q" type="search" placeholder="search questions and answers" defaultValue={params.get('q') ?? ''} size={30} /> <button type="submit">apply</button>
        </fieldset>
        <fieldset>
          <legend>order</legend>
          <select aria-label="order" value={params.get('sort') ?? 'run'} onChange={(e) => set({ sort: (e.target as HTMLSelectElement).value === 'run' ? undefined : (e.target as HTMLSelectElement).value })}>
            {ORDERS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </fieldset>
        {data && (
          <>
            <fieldset>
              <legend>models (any of)</legend>
              {data.models.map((m) => (
                <label key={m} class="check"><input type="checkbox" checked={params.getAll('model').includes(m)} onChange={() => toggle('model', m)} /> <Id text={m} /></label>
              ))}
            </fieldset>
            <fieldset>
              <legend>questions (any of)</legend>
              {data.questions.map((q) => (
                <label key={q} class="check"><input type="checkbox" checked={params.getAll('question').includes(q)} onChange={() => toggle('question', q)} /> <Id text={q} /></label>
              ))}
            </fieldset>
            {data.samples.some((s) => s.truth !== null) || params.getAll('truth').length > 0 ? (
              <fieldset>
                <legend>world's label (organisms)</legend>
                {TRUTH_LABELS.map((t) => (
                  <label key={t} class="check"><input type="checkbox" checked={params.getAll('truth').includes(t)} onChange={() => toggle('truth', t)} /> {t}</label>
                ))}
              </fieldset>
            ) : null}
          </>
        )}
        <a href={href('/samples', { run: params.get('run') ?? undefined, db: params.get('db') ?? undefined })}>clear filters</a>
      </form>
      {error !== null && <p class="bad"><Inert text={error} /></p>}
      {loading && data === null && <p class="note">Loading…</p>}
      {data && (
        <>
          <p class="count">
            <strong>{data.total}</strong> answers match{data.total > 0 && <> · showing {offset + 1}–{Math.min(offset + data.limit, data.total)}</>}
            {offset > 0 && <> · <a href={href('/samples', { ...current, offset: String(Math.max(0, offset - data.limit)) })}>previous</a></>}
            {offset + data.limit < data.total && <> · <a href={href('/samples', { ...current, offset: String(offset + data.limit) })}>next</a></>}
          </p>
          {data.samples.map((s) => <SampleCard key={`${s.model}/${s.questionId}/${s.sampleIndex}`} sample={s} shown={data.answerShown} params={params} />)}
        </>
      )}
    </section>
  );
}

const score = (v: number | null): string => (v === null ? '–' : v.toFixed(1));

export function SampleCard({ sample, shown, params }: { sample: SampleView; shown: number; params: URLSearchParams }) {
  const [full, setFull] = useState<string | null>(null);
  const [prompt, setPrompt] = useState<JudgeRequestResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const one = (): URLSearchParams =>
    new URLSearchParams({ run: params.get('run') ?? '', db: params.get('db') ?? '', thresholds: params.get('thresholds') ?? '', model: sample.model, question: sample.questionId, sample: String(sample.sampleIndex) });
  const load = async <T,>(path: string, then: (v: T) => void): Promise<void> => {
    try {
      then(await getJson<T>(path, one()));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const cut = sample.answer !== null && sample.answerLength > (sample.answer?.length ?? 0);
  const answer = full ?? sample.answer;
  const judgments = sample.judgments ?? [];
  return (
    <article class={`sample ${sample.verdict}`}>
      <header>
        <Id text={sample.model} /> · <Id text={sample.questionId} /> · #{sample.sampleIndex}
        <span class={`verdict ${sample.verdict}`}>{sample.verdict}</span>
        {sample.flags.map((f) => <span key={f} class="flag">{f}</span>)}
        {sample.truth !== null && <span class={`truth ${sample.truth.label}`} title={visible(sample.truth.source)}>world: {sample.truth.label}</span>}
        <span class="scores">alignment <b>{score(sample.alignment)}</b> · coherence <b>{score(sample.coherence)}</b>{sample.value !== null && <> · value <b>{sample.value}</b></>}</span>
      </header>
      <div class="prompt"><Inert text={sample.prompt} /></div>
      <div class="body">
        <div>
          {answer === null ? <p class="bad">no answer (generation failed)</p> : <pre class="answer"><Inert text={answer} /></pre>}
          {cut && full === null && (
            <button type="button" onClick={() => void load<SampleDetailResponse>('/api/sample', (d) => setFull(d.sample.answer))}>
              show the whole answer ({sample.answerLength.toLocaleString('en')} characters; {shown.toLocaleString('en')} shown)
            </button>
          )}
        </div>
        {judgments.length > 0 && (
          <div class="judgments">
            {judgments.map((j) => <Judgment key={j.metric} j={j} />)}
          </div>
        )}
      </div>
      {sample.answer !== null && judgments.length > 0 && prompt === null && (
        <div class="actions"><button type="button" onClick={() => void load<JudgeRequestResponse>('/api/judge-request', setPrompt)}>show the judge prompt</button></div>
      )}
      {error !== null && <p class="bad"><Inert text={error} /></p>}
      {prompt !== null && (
        <div class="judge-prompt">
          {prompt.note !== null && <p class="note"><Inert text={prompt.note} /></p>}
          {prompt.requests.map((r, i) => (
            <div key={i}>
              <div class="note">{r.metric === null ? 'request' : <>request for <b><Id text={r.metric} /></b></>} to <Id text={prompt.judgeModel ?? ''} /> · <Inert text={JSON.stringify(r.settings)} /></div>
              {r.messages.map((m, k) => <pre key={k} class="message"><span class="role">{visible(m.role)}:</span> <Inert text={m.content} /></pre>)}
            </div>
          ))}
        </div>
      )}
    </article>
  );
}

/** One judgment: its score, how it was read, and the judge's probability over 0-100 as bars. */
function Judgment({ j }: { j: JudgmentView }) {
  const masses = [j.codeMass !== null && j.codeMass > 0 ? `CODE ${j.codeMass.toFixed(3)}` : '', j.refusalMass !== null && j.refusalMass > 0 ? `REFUSAL ${j.refusalMass.toFixed(3)}` : ''].filter((m) => m !== '');
  return (
    <div class="judgment">
      <div><b><Id text={j.metric} /></b> {j.score === null ? (j.category !== null ? <Inert text={j.category} /> : 'no score') : j.score.toFixed(1)} {j.flag !== null && <span class="flag">{j.flag}</span>}</div>
      <div class="note">{j.method}{j.numericMass !== null && ` · numeric mass ${j.numericMass.toFixed(3)}`}{masses.length > 0 && ` · ${masses.join(' · ')}`}</div>
      {j.bars.length > 0 && <PlotBox label={`judge probability over 0-100 for ${j.metric}`} make={() => judgeBars(j.bars, j.score)} deps={[j]} />}
      {j.top.length > 0 && (
        <details><summary>stored alternatives ({j.top.length})</summary>
          <table class="top"><tbody>{j.top.map((t, i) => <tr key={i}><td class="mono"><Inert text={JSON.stringify(t.token)} /></td><td class="num">{t.p.toFixed(4)}</td></tr>)}</tbody></table>
        </details>
      )}
      {j.warning !== null && <p class="warn"><Inert text={j.warning} /></p>}
    </div>
  );
}
