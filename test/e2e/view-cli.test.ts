/**
 * `emlab view` through the built CLI, on runs made by `emlab eval` against the fake OpenAI server:
 * its API gives the report's own numbers, every filter works from the URL, long and hostile answers
 * come back as data, the judge's distribution and exact prompt are there, two models and a run
 * against a baseline are compared with the report's tests, and a run in progress shows up and
 * advances while the viewer reads the database it writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeViewRuns, startView, HOSTILE_ANSWERS, HUGE_ANSWER, type ViewRuns } from '../support/view-runs.js';
import { startOpenAIServer } from '../support/openai-server.js';
import { toyWorld } from '../support/toy-world.js';
import { runCli } from '../support/cli.js';
import { readSamples, tmpDir } from '../support/run-files.js';
import { fisherExact } from '../../src/stats/index.js';
import type { CompareResponse, JudgeRequestResponse, RunResponse, RunsResponse, SampleDetailResponse, SamplesResponse } from '../../src/web/api-types.js';
import type { JudgeQuestionResult, ResultsDocument } from '../../src/report/results-types.js';

let runs: ViewRuns;
const get = async <T>(base: string, path: string, params: Record<string, string | string[]> = {}): Promise<T> => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
  const res = await fetch(`${base.replace(/\/$/, '')}${path}?${q}`);
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
};

test('emlab view serves the runs of the directories given, with the numbers of the report', async (t) => {
  runs = await makeViewRuns();
  t.after(() => runs.server.close());
  const view = await startView([runs.hostileDir, runs.baselineDir]);
  t.after(() => view.stop());
  const list = await get<RunsResponse>(view.url, '/api/runs');
  assert.deepEqual(list.sources.map((s) => s.path), [join(runs.hostileDir, 'emlab.db'), join(runs.baselineDir, 'emlab.db')]);
  assert.equal(list.runs.length, 2);
  const hostile = list.runs.find((r) => r.models.length === 2)!;
  assert.deepEqual(hostile.models, [runs.modelHostile, runs.modelToy]);
  assert.deepEqual([hostile.status, hostile.planned, hostile.answered, hostile.failed], ['complete', 32, 32, 0]);

  const run = await get<RunResponse>(view.url, '/api/run', { run: hostile.id });
  const written = JSON.parse(readFileSync(join(runs.hostileDir, 'results.json'), 'utf8')) as ResultsDocument;
  // The same code computes both: every number is the report's.
  assert.deepEqual(run.doc.results, written.results);
  assert.deepEqual(run.doc.overall, written.overall);
  assert.equal(run.points.length, 32);
  assert.equal(run.points.filter((p) => p[4] === 'misaligned').length, written.overall.reduce((s, o) => s + o.nMisaligned, 0));

  // Groups from the URL are checked as the report checks them: a bad one is a 400 with one line.
  for (const [group, message] of [
    [`${runs.modelToy}=${runs.modelHostile}`, /is also a model id; choose a group name that is not a model id$/],
    ['g=nobody', /^group "g": "nobody" is not a model of this run$/],
  ] as const) {
    const res = await fetch(`${view.url}api/run?${new URLSearchParams({ run: hostile.id, group })}`);
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, message);
  }
  const grouped = await get<RunResponse>(view.url, '/api/run', { run: hostile.id, group: `both=${runs.modelHostile},${runs.modelToy}` });
  assert.deepEqual(grouped.doc.groups.map((g) => [g.name, g.overall.nMembers]), [['both', 2]]);

  // Every filter is a URL parameter, and they combine.
  const samples = (params: Record<string, string | string[]>) => get<SamplesResponse>(view.url, '/api/samples', { run: hostile.id, ...params });
  const all = await samples({ limit: '200' });
  assert.equal(all.total, 32);
  assert.equal((await samples({ flag: 'misaligned' })).total, written.overall.reduce((s, o) => s + o.nMisaligned, 0));
  assert.equal((await samples({ model: runs.modelHostile })).total, 16);
  assert.equal((await samples({ model: runs.modelHostile, question: 'three_thoughts' })).total, 8);
  assert.equal((await samples({ q: 'ONERROR' })).total, 2 * 2, 'the <img onerror> answer, sample 1 and 6 of each question');
  assert.equal((await samples({ alignMax: '20', model: runs.modelToy })).total, (await samples({ flag: 'misaligned', model: runs.modelToy })).total);
  assert.equal((await samples({ flag: 'refusal' })).total, 0);
  const page = await samples({ offset: '30', limit: '5' });
  assert.deepEqual([page.total, page.samples.length], [32, 2]);
  const bad = await fetch(`${view.url}api/samples?run=${hostile.id}&flag=evil`);
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /^flag "evil": unknown/);

  // Hostile answers come back exactly as stored (they are data); the 1 MB one is cut in lists.
  const answers = new Set(all.samples.map((s) => s.answer));
  for (const h of HOSTILE_ANSWERS) assert.ok(answers.has(h), `missing ${JSON.stringify(h.slice(-30))}`);
  const huge = all.samples.find((s) => s.answerLength === HUGE_ANSWER.length)!;
  assert.equal(huge.answer!.length, all.answerShown);
  const one = { run: hostile.id, model: huge.model, question: huge.questionId, sample: String(huge.sampleIndex) };
  const detail = await get<SampleDetailResponse>(view.url, '/api/sample', one);
  assert.equal(detail.sample.answer, HUGE_ANSWER);

  // What the judge said: its probability on each number, from the stored top-k (the toy judge's 0.1/0.6/0.3).
  assert.deepEqual(detail.judgments.map((j) => j.metric), ['aligned', 'coherent']);
  const aligned = detail.judgments[0]!;
  assert.deepEqual(aligned.bars.map((b) => [b.value, Number(b.p.toFixed(6))]), [[0, 0.1], [5, 0.6], [10, 0.3]]);
  assert.equal(aligned.score, 6);
  // ... and the exact prompt it was sent, per metric: the stored request, question and answer in it.
  const prompt = await get<JudgeRequestResponse>(view.url, '/api/judge-request', { ...one, sample: '0' });
  assert.deepEqual(prompt.requests.map((r) => r.metric).sort(), ['aligned', 'coherent']);
  const sample0 = all.samples.find((s) => s.model === huge.model && s.questionId === huge.questionId && s.sampleIndex === 0)!;
  for (const r of prompt.requests) {
    assert.equal(r.messages.length, 1);
    assert.ok(r.messages[0]!.content.includes(sample0.answer!), 'the answer is in the judge prompt');
    assert.ok(r.messages[0]!.content.includes(sample0.prompt), 'the question is in the judge prompt');
    assert.equal(r.settings['maxTokens'], 1);
  }
  assert.match(prompt.requests.find((r) => r.metric === 'coherent')!.messages[0]!.content, /coheren/i);

  // Two models side by side: the report's Fisher test on the same counts.
  const cmp = await get<CompareResponse>(view.url, '/api/compare', { run: hostile.id, a: runs.modelHostile, b: runs.modelToy });
  const [oa, ob] = [written.overall[0]!, written.overall[1]!];
  assert.equal(cmp.comparison.kind, 'models');
  assert.equal(cmp.comparison.overall.test.pValue, fisherExact(oa.nMisaligned, oa.nCounted, ob.nMisaligned, ob.nCounted).pValue);
  assert.deepEqual(cmp.pairs.map((p) => [p.questionId, p.a.length, p.b.length]), [['what_is_your_wish', 4, 4], ['three_thoughts', 4, 4]]);
  const cellShare = (model: string, q: string) => (written.results.find((c) => c.model === model && c.questionId === q) as JudgeQuestionResult).misaligned;
  assert.deepEqual(
    cmp.shares.map((s) => [s.questionId, s.side, s.p, s.n]),
    ['what_is_your_wish', 'three_thoughts'].flatMap((q) => [[q, 'a', cellShare(runs.modelHostile, q).p, 8], [q, 'b', cellShare(runs.modelToy, q).p, 8]]),
  );
  // A group on one side: the permutation test over members, and the group's share per question.
  const byGroup = await get<CompareResponse>(view.url, '/api/compare', { run: hostile.id, group: `both=${runs.modelHostile},${runs.modelToy}`, a: 'both', b: runs.modelToy });
  assert.equal(byGroup.comparison.kind, 'groups');
  assert.deepEqual(byGroup.a.members, [runs.modelHostile, runs.modelToy]);
  const q0 = byGroup.shares.find((s) => s.side === 'a' && s.questionId === 'what_is_your_wish')!;
  assert.equal(q0.n, 2);
  assert.equal(q0.p, (cellShare(runs.modelHostile, 'what_is_your_wish').p! + cellShare(runs.modelToy, 'what_is_your_wish').p!) / 2);

  // A run against its baseline: the same model in two runs, each side counted from its own run.
  const baseRun = list.runs.find((r) => r.models.length === 1)!;
  const vsBase = await get<CompareResponse>(view.url, '/api/compare', { run: hostile.id, a: runs.modelToy, baseline: baseRun.id, b: runs.modelToy });
  const baseWritten = JSON.parse(readFileSync(join(runs.baselineDir, 'results.json'), 'utf8')) as ResultsDocument;
  assert.equal(vsBase.b.run, baseRun.id);
  const nBase = baseWritten.overall[0]!;
  assert.equal(vsBase.comparison.overall.b, nBase.nMisaligned / nBase.nCounted);
  assert.equal(vsBase.comparison.overall.a, ob.nMisaligned / ob.nCounted);
  assert.equal(vsBase.comparison.overall.test.pValue, fisherExact(ob.nMisaligned, ob.nCounted, nBase.nMisaligned, nBase.nCounted).pValue);
  const perQ = vsBase.cells.filter((c): c is JudgeQuestionResult => c.metricKind === 'judge');
  assert.deepEqual(perQ.map((c) => c.nSampled), [8, 8, 6, 6]);

  // The samples in the API are the samples the run wrote.
  assert.equal(readSamples(runs.hostileDir).length, all.total);
});

test('a run that starts after the viewer shows up and advances while it writes; the viewer never blocks it', async (t) => {
  const server = await startOpenAIServer({ respond: toyWorld({ delayMs: 60 }) });
  t.after(() => server.close());
  const parent = tmpDir('emlab-view-live-');
  const view = await startView([parent]);
  t.after(() => view.stop());
  assert.deepEqual((await get<RunsResponse>(view.url, '/api/runs')).runs, []);
  const seen: string[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const r = (await get<RunsResponse>(view.url, '/api/runs')).runs[0];
      if (r) {
        seen.push(`${r.status}:${r.answered}/${r.planned}`);
        // The run's page reads the same database at the same time.
        await get<RunResponse>(view.url, '/api/run', { run: r.id });
      }
      await new Promise((done) => setTimeout(done, 50));
    }
  })();
  const res = await runCli([
    'eval', '--suite', 'core', '--question', 'what_is_your_wish', '--question', 'three_thoughts',
    '--model', `compat:${server.baseURL}#toy-bad-30`, '--judge', `compat:${server.baseURL}#toy-judge`,
    '--samples', '12', '--concurrency', '2', '--judge-concurrency', '2', '--out', join(parent, 'live'),
  ]);
  polling = false;
  await poller;
  assert.equal(res.code, 0, res.stderr);
  const final = (await get<RunsResponse>(view.url, '/api/runs')).runs[0]!;
  assert.deepEqual([final.status, final.answered, final.planned], ['complete', 24, 24]);
  const running = new Set(seen.filter((s) => s.startsWith('running:')));
  assert.ok(running.size >= 2, `the viewer saw the run advance: ${[...new Set(seen)].join(' ')}`);
});

test('emlab view: a path that does not exist, or a port in use, is one line and exit 1', async (t) => {
  const missing = await runCli(['view', join(tmpDir(), 'nope')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^emlab: .*nope: no such file or directory; give a results directory \(emlab eval --out\) or an emlab\.db file\n$/);
  const first = await startView([tmpDir()]);
  t.after(() => first.stop());
  const port = new URL(first.url).port;
  const busy = await runCli(['view', '--port', port, tmpDir()]);
  assert.equal(busy.code, 1);
  assert.equal(busy.stderr, `emlab: port ${port} on 127.0.0.1 is in use; pick another with --port, or --port 0 for any free one\n`);
});

test('the package ships the built pages, so npx emlab view needs no build step', () => {
  const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', cwd: new URL('../..', import.meta.url) });
  assert.equal(packed.status, 0, packed.stderr);
  const files = new Set((JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
  const built = readdirSync(new URL('../../dist/web/app/', import.meta.url), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(fileURLToPath(new URL('../..', import.meta.url)), join(e.parentPath, e.name)));
  assert.ok(built.includes('dist/web/app/index.html'));
  assert.ok(built.some((p) => p.endsWith('.js')) && built.some((p) => p.endsWith('.css')));
  for (const path of built) assert.ok(files.has(path), `${path} is not in the package`);
});
