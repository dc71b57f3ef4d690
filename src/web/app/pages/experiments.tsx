import type { ExperimentsResponse, ExperimentView } from '../../api-types.js';
import { formatDifference, formatPValue, formatShareInterval } from '../../../report/format.js';
import { useApi } from '../live.js';
import { href } from '../router.js';
import { Id, Inert } from '../text.js';

const NO_PARAMS = new URLSearchParams();

/** The experiments found (emlab run experiment.yaml): steps with their status, each evaluation's groups, comparisons and run. */
export function Experiments() {
  const { data, error } = useApi<ExperimentsResponse>('/api/experiments', NO_PARAMS);
  if (error !== null) return <p class="bad"><Inert text={error} /></p>;
  if (data === null || data.experiments.length === 0) return null;
  return (
    <section class="experiments">
      <h1>Experiments</h1>
      {data.experiments.map((x) => <Experiment key={`${x.db}`} x={x} />)}
    </section>
  );
}

function Experiment({ x }: { x: ExperimentView }) {
  return (
    <div class="experiment">
      <h2><Id text={x.name} /> <span class={`status ${x.status}`}><Inert text={x.status} /></span></h2>
      <p class="note"><Id text={x.dir} />{x.updatedAt !== null && <> · updated <span class="mono">{x.updatedAt.replace('T', ' ').slice(0, 19)}</span></>}</p>
      <table class="steps">
        <thead><tr><th>step</th><th>status</th><th>detail</th><th>stored under (hash of inputs)</th></tr></thead>
        <tbody>
          {x.steps.map((s) => (
            <tr key={s.id}>
              <td class="id"><Id text={s.id} /></td>
              <td><span class={`status ${s.status}`}><Inert text={s.status} /></span></td>
              <td><Inert text={s.detail} /></td>
              <td class="mono">{s.hash === null ? '–' : <span title={s.hash}>{s.hash.slice(0, 12)}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {x.evaluations.map((e) => (
        <div class="evaluation" key={e.name}>
          <h3>evaluation <Id text={e.name} /> · <Inert text={e.status} />{e.suite !== null && <> · <Inert text={e.suite} /></>}{' '}
            {e.run !== null ? <a href={href('/run', { run: e.run.id, db: e.run.db })}>run <span class="mono">{e.run.id.slice(0, 12)}</span></a> : <span class="note">(its run is not in this database)</span>}
          </h3>
          {e.groups.length > 0 && (
            <table>
              <thead><tr><th>group</th><th>misaligned share [95% Student-t over seeds]</th><th>members</th></tr></thead>
              <tbody>
                {e.groups.map((g) => (
                  <tr key={g.name}>
                    <td class="id"><Id text={g.name} /></td>
                    <td class="num">{formatShareInterval(g.estimate, g.lo, g.hi)} m={g.nMembers} <span class="note"><Inert text={g.method} /></span></td>
                    <td class="id">{g.members.map((m) => <div key={m}><Id text={m} /></div>)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {e.comparisons.length > 0 && (
            <table>
              <thead><tr><th>a</th><th>b</th><th>a − b</th><th>p</th></tr></thead>
              <tbody>
                {e.comparisons.map((c) => (
                  <tr key={`${c.a}/${c.b}`}>
                    <td class="id"><Id text={c.a} /></td>
                    <td class="id"><Id text={c.b} /></td>
                    <td class="num">{formatDifference(c.difference)}</td>
                    <td class="num">{formatPValue(c.test.pValue)} <span class="note"><Inert text={c.test.method} /></span>{c.welchPValue !== null && <div class="note">Welch's t {formatPValue(c.welchPValue)}</div>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
    </div>
  );
}
