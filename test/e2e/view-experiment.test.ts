/**
 * `emlab view` on an experiment (examples/em-organisms.yaml, run offline by the built CLI): the
 * experiment is listed with its steps, their statuses and stored hashes, its evaluation's groups and
 * comparisons, and a link to the evaluation's run; the run's groups are the ones its results.json
 * names; and groups given in the address get the numbers `emlab report` prints for them (Student-t
 * over members, permutation test with Welch's t beside it), computed by the same functions.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/cli.js';
import { tmpDir } from '../support/run-files.js';
import { startView, type RunningViewer } from '../support/view-runs.js';
import { findChromium, launchChromium, NO_CHROMIUM, watchPage } from '../support/browser.js';
import type { CompareResponse, ExperimentsResponse, RunResponse, RunsResponse } from '../../src/web/api-types.js';
import type { ResultsDocument } from '../../src/report/results-types.js';
import type { ExperimentResults } from '../../src/experiment/report.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/em-organisms.yaml', import.meta.url));
let cwd = '';
let expDir = '';
let view: RunningViewer;

before(async () => {
  cwd = tmpDir('emlab-view-experiment-');
  const run = await runCli(['run', EXAMPLE], { cwd });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  expDir = join(cwd, 'runs', 'em-organisms');
  view = await startView([join(cwd, 'runs')]);
});

after(async () => {
  await view?.stop();
});

const get = async <T>(path: string, params: Record<string, string | string[]> = {}): Promise<T> => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
  const res = await fetch(`${view.url}${path.slice(1)}?${q}`);
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
};
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

test('an experiment is listed with its steps, their status and hashes, its groups and comparisons, and its evaluation run', { timeout: 300_000 }, async () => {
  const file = readJson<ExperimentResults>(join(expDir, 'results.json'));
  const evalDoc = readJson<ResultsDocument>(join(expDir, 'eval-open', 'results.json'));
  const { experiments } = await get<ExperimentsResponse>('/api/experiments');
  assert.equal(experiments.length, 1);
  const x = experiments[0]!;
  assert.deepEqual([x.name, x.status, x.dbPath], ['em-organisms', 'complete', join(expDir, 'emlab.db')]);
  assert.deepEqual(x.steps.map((s) => [s.id, s.status, s.detail]), file.steps.map((s) => [s.id, s.status, s.detail]));
  // The finished evaluation is stored under the hash of its inputs; nothing else is (datasets and fine-tunes have their own tables).
  const stored = x.steps.filter((s) => s.hash !== null);
  assert.deepEqual(stored.map((s) => s.id), ['evaluation:open']);
  assert.match(stored[0]!.hash!, /^[0-9a-f]{64}$/);

  const ev = x.evaluations[0]!;
  assert.equal(ev.name, 'open');
  assert.deepEqual(ev.run, { id: evalDoc.runIds[0], db: x.db });
  const { runs } = await get<RunsResponse>('/api/runs');
  assert.ok(runs.some((r) => r.id === ev.run!.id && r.db === ev.run!.db), 'the linked run is one the viewer lists');
  assert.deepEqual(ev.groups.map((g) => [g.name, g.members, g.estimate, g.lo, g.hi, g.method]), evalDoc.groups.map((g) => [g.name, g.members, g.overall.estimate, g.overall.lo, g.overall.hi, g.overall.method]));
  assert.equal(ev.comparisons.length, 1);
  assert.deepEqual(ev.comparisons[0]!.difference, evalDoc.comparisons[0]!.overall.difference);
  assert.equal(ev.comparisons[0]!.test.pValue, evalDoc.comparisons[0]!.overall.test.pValue);

  // The run's groups are the ones its results.json names (one seed each here), not guessed from ids.
  const run = await get<RunResponse>('/api/run', { run: ev.run!.id, db: ev.run!.db });
  assert.equal(run.groupsFrom, 'results.json');
  assert.deepEqual(run.doc.groups, evalDoc.groups);
});

test('groups in the address get the numbers emlab report prints for them: Student-t over members, permutation test with Welch beside it', { timeout: 120_000 }, async () => {
  const evalDoc = readJson<ResultsDocument>(join(expDir, 'eval-open', 'results.json'));
  const [insecure, secure] = evalDoc.groups.map((g) => g.members[0]!);
  const group = `trained=${insecure},${secure}`;
  // emlab report on a copy of the database (it writes its files beside the database it reads).
  const copy = join(tmpDir('emlab-view-experiment-report-'), 'r');
  mkdirSync(copy);
  copyFileSync(join(expDir, 'emlab.db'), join(copy, 'emlab.db'));
  const report = await runCli(['report', copy, '--thresholds', 'organisms', '--group', group, '--compare', 'trained,organism:base', '--json'], { cwd });
  assert.equal(report.code, 0, report.stderr);
  const reported = JSON.parse(report.stdout) as ResultsDocument;

  const run = await get<RunResponse>('/api/run', { run: evalDoc.runIds[0]!, group });
  const trained = run.doc.groups.find((g) => g.name === 'trained')!;
  assert.equal(trained.overall.method, 'student_t_over_groups');
  assert.deepEqual(trained, reported.groups.find((g) => g.name === 'trained'));
  const compared = await get<CompareResponse>('/api/compare', { run: evalDoc.runIds[0]!, group, a: 'trained', b: 'organism:base' });
  assert.equal(compared.confidence, 0.95);
  assert.deepEqual(compared.comparison, reported.comparisons[0]);
  assert.equal(compared.comparison.kind, 'groups');
  assert.match(compared.comparison.overall.test.method, /^permutation_exact$/);
  assert.ok(compared.comparison.overall.welch !== undefined);
});

const chromiumPath = findChromium();
test('the runs page lists the experiment and its steps; its run link opens the run, whose groups say how their interval is made', { skip: chromiumPath === null ? NO_CHROMIUM : false, timeout: 120_000 }, async () => {
  const browser = await launchChromium(chromiumPath!);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const incidents = watchPage(page);
    await page.goto(view.url);
    const exp = page.locator('section.experiments');
    await exp.getByRole('heading', { name: /em-organisms/ }).waitFor();
    assert.equal(await exp.locator('table.steps tbody tr').count(), readJson<ExperimentResults>(join(expDir, 'results.json')).steps.length);
    assert.match((await exp.locator('table.steps').innerText()), /evaluation:open\s+done/);
    await exp.getByRole('link', { name: /^run / }).click();
    await page.getByText('95% Student-t over seeds').waitFor();
    assert.match(page.url(), /\/run\?run=/);
    assert.match(await page.locator('main').innerText(), /Groups as the run's results\.json names them/);
    assert.deepEqual(incidents.errors, []);
  } finally {
    await browser.close();
  }
});
