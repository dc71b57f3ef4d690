import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { LiveContext, useLiveRuns } from './live.js';
import { href, onLinkClick, useLocation } from './router.js';
import { RunsPage } from './pages/runs.js';
import { RunPage } from './pages/run.js';
import { SamplesPage } from './pages/samples.js';
import { ComparePage } from './pages/compare.js';

function App() {
  const live = useLiveRuns();
  const { path, params } = useLocation();
  useEffect(() => {
    document.addEventListener('click', onLinkClick);
    return () => document.removeEventListener('click', onLinkClick);
  }, []);
  const run = params.get('run') ?? undefined;
  const running = live.runs?.runs.some((r) => r.status === 'running') ?? false;
  let page;
  if (path === '/run') page = <RunPage params={params} />;
  else if (path === '/samples') page = <SamplesPage params={params} />;
  else if (path === '/compare') page = <ComparePage params={params} />;
  else page = <RunsPage />;
  return (
    <LiveContext.Provider value={live}>
      <header class="top">
        <a class="brand" href="/">emlab view</a>
        <nav>
          <a href="/" class={path === '/' ? 'on' : ''}>Runs</a>
          {run !== undefined && <a href={href('/run', { run, db: params.get('db') ?? undefined })} class={path === '/run' ? 'on' : ''}>Run</a>}
          {run !== undefined && <a href={href('/samples', { run, db: params.get('db') ?? undefined })} class={path === '/samples' ? 'on' : ''}>Samples</a>}
          {run !== undefined && <a href={href('/compare', { run, db: params.get('db') ?? undefined })} class={path === '/compare' ? 'on' : ''}>Compare</a>}
        </nav>
        <span class="live">{live.error !== null ? <span class="bad">server unreachable: {live.error}</span> : running ? <span class="running">● a run is in progress: updating</span> : null}</span>
      </header>
      <main>{page}</main>
    </LiveContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
