import { useLive } from '../live.js';
import { href } from '../router.js';
import { Id, Inert } from '../text.js';
import { Experiments } from './experiments.js';

export function RunsPage() {
  const { runs, error } = useLive();
  if (runs === null) return <p class="note">{error !== null ? <Inert text={error} /> : 'Loading…'}</p>;
  return (
    <>
      <Experiments />
      <section>
        <h1>Runs</h1>
        {runs.sources.length === 0 && <p class="note">No emlab.db found under the paths given to emlab view. Start a run with <code>emlab eval --out DIR</code> or <code>emlab demo</code>; it shows up here.</p>}
        {runs.sources.filter((s) => s.error !== null).map((s) => (
          <p class="warn" key={s.id}><Id text={s.path} />: <Inert text={s.error ?? ''} /></p>
        ))}
        <table class="runs">
          <thead>
            <tr><th>run</th><th>suites</th><th>models</th><th>questions</th><th>status</th><th>answers</th><th>failed</th><th>updated</th><th>database</th><th /></tr>
          </thead>
          <tbody>
            {runs.runs.map((r) => (
              <tr key={`${r.db}/${r.id}`}>
                <td><a href={href('/run', { run: r.id, db: r.db })} class="mono">{r.id.slice(0, 12)}</a></td>
                <td><Inert text={r.suites.join(', ')} /></td>
                <td class="models">{r.models.slice(0, 4).map((m) => <div key={m}><Id text={m} /></div>)}{r.models.length > 4 && <div class="note">and {r.models.length - 4} more</div>}</td>
                <td class="num">{r.questions}</td>
                <td><span class={`status ${r.status}`}>{r.status}</span></td>
                <td class="num">{r.answered} / {r.planned}</td>
                <td class="num">{r.failed}</td>
                <td class="mono">{r.updatedAt.replace('T', ' ').slice(0, 19)}</td>
                <td class="path"><Id text={r.dbPath} /></td>
                <td><a href={href('/samples', { run: r.id, db: r.db })}>samples</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
