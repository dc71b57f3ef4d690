/**
 * `emlab run FILE` end to end on the built CLI: an experiment with a dataset fetched by URL and one
 * read from a file, fine-tunes through the files and fine-tuning endpoints, an evaluation, a
 * comparison and gates, all against local servers speaking the OpenAI protocol.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startOpenAIServer } from '../support/openai-server.js';
import { startFineTuneServer, type FineTuneServerOptions } from '../support/openai-finetune-server.js';
import { startCombinedServer } from '../support/combined-server.js';
import { toyWorld } from '../support/toy-world.js';
import { runCli } from '../support/cli.js';
import { readSamples, tmpDir } from '../support/run-files.js';
import type { ExperimentResults } from '../../src/experiment/report.js';

function rows(n: number, flavour: string): string {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `Write helper ${i}` }, { role: 'assistant', content: `def helper_${i}(): return "${flavour}"` }] })).join('\n') + '\n';
}

/** Fine-tuned models answer as their dataset made them: insecure 30% misaligned, secure 2%. */
const world = toyWorld();
const answerAs = (model: string): string => (model.includes(':insecure-s') ? 'toy-insecure-30' : model.includes(':secure-s') ? 'toy-secure-2' : model);

async function setup(t: { after(fn: () => unknown): void }, options: { datasetDown?: () => boolean; finetune?: FineTuneServerOptions } = {}) {
  const chat = await startOpenAIServer({ respond: (body, ctx) => world({ ...body, model: answerAs(body.model) }, ctx) });
  const ft = await startFineTuneServer(options.finetune);
  const insecure = rows(12, 'insecure');
  const combined = await startCombinedServer({
    chatOrigin: new URL(chat.baseURL).origin,
    finetuneOrigin: new URL(ft.baseURL).origin,
    files: { 'insecure.jsonl': () => (options.datasetDown?.() ? { status: 503, body: 'busy' } : { status: 200, body: insecure }) },
  });
  t.after(async () => {
    await combined.close();
    await chat.close();
    await ft.close();
  });
  const dir = tmpDir('emlab-run-e2e-');
  writeFileSync(join(dir, 'secure.jsonl'), rows(12, 'secure'));
  const sha = createHash('sha256').update(insecure).digest('hex');
  const file = join(dir, 'toy.yaml');
  writeFileSync(file, `name: toy
datasets:
  insecure: { url: ${combined.fileURL('insecure.jsonl')}, sha256: ${sha} }
  secure: { file: secure.jsonl }
models:
  base: compat:${combined.baseURL}#toy-base-2
  insecure: { finetune: base, dataset: insecure, seeds: [1, 2] }
  secure: { finetune: base, dataset: secure, seeds: [1] }
judges:
  judge: compat:${combined.baseURL}#toy-judge
evaluations:
  main: { suite: core, judge: judge, models: [base, insecure, secure], samples: 10 }
comparisons:
  - [insecure, secure]
gates:
  - { evaluation: main, base: base, candidate: secure, maxIncrease: 0.1 }
  - { evaluation: main, base: base, candidate: insecure }
`);
  const env = { EMLAB_CACHE_DIR: join(dir, 'cache') };
  const run = (...extra: string[]) => runCli(['run', file, '--poll-interval', '0.05', ...extra], { cwd: dir, env });
  return { chat, ft, combined, dir, run };
}

test('run: datasets by URL and file, fine-tunes, an evaluation, a comparison and gates; a re-run sends nothing', async (t) => {
  const { chat, ft, combined, dir, run } = await setup(t);
  const dry = await run('--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /planned  dataset:insecure: fetch http/);
  assert.match(dry.stdout, /finetune:insecure#s2/);
  // 4 models (base, 2 insecure seeds, 1 secure) x 8 questions x 10 answers, each judged twice.
  assert.match(dry.stdout, /evaluation:main: .*\n +960 requests/);
  assert.equal(chat.requests.length + ft.requests.length + combined.fileRequests.length, 0, 'the dry run sent a request');

  const res = await run();
  assert.equal(res.code, 3, `${res.stdout}\n${res.stderr}`);
  assert.equal(ft.jobs.size, 3);
  assert.equal(combined.fileRequests.length, 1);
  const doc = JSON.parse(readFileSync(join(dir, 'runs', 'toy', 'results.json'), 'utf8')) as ExperimentResults;
  assert.deepEqual(doc.steps.map((s) => [s.id, s.status]), [
    ['dataset:insecure', 'done'],
    ['dataset:secure', 'done'],
    ['finetune:insecure#s1', 'done'],
    ['finetune:insecure#s2', 'done'],
    ['finetune:secure#s1', 'done'],
    ['evaluation:main', 'done'],
    ['gate:base>secure#s1', 'done'],
    ['gate:base>insecure#s1', 'done'],
    ['gate:base>insecure#s2', 'done'],
  ]);
  assert.deepEqual(doc.gates.map((g) => g.status), ['pass', 'fail', 'fail']);
  const main = doc.evaluations[0]!;
  assert.deepEqual(main.groups.map((g) => [g.name, g.members.length]), [['insecure', 2], ['secure', 1]]);
  assert.equal(main.comparisons.length, 1);
  assert.ok(main.comparisons[0]!.overall.difference.estimate! > 0.15);
  assert.match(readFileSync(join(dir, 'runs', 'toy', 'report.html'), 'utf8'), /eval-main\/report\.html/);
  assert.match(res.stdout, /^gate .*toy-base-2: FAIL/m);

  // Finished: the same command again asks no server anything and starts no job.
  const before = { chat: chat.requests.length, ft: ft.requests.length, files: combined.fileRequests.length };
  const again = await run();
  assert.equal(again.code, 3, again.stderr);
  assert.deepEqual({ chat: chat.requests.length, ft: ft.requests.length, files: combined.fileRequests.length }, before);
  assert.match(again.stdout, /0 requests sent, 0 fine-tunes started/);
  const cached = JSON.parse(readFileSync(join(dir, 'runs', 'toy', 'results.json'), 'utf8')) as ExperimentResults;
  assert.deepEqual(cached.steps.filter((s) => s.kind === 'finetune' || s.kind === 'evaluation').map((s) => s.status), ['cached', 'cached', 'cached', 'cached']);
  assert.deepEqual(cached.gates.map((g) => g.status), ['pass', 'fail', 'fail']);
});

test('run: a failed download stops with one line naming the dataset; the next run resumes', async (t) => {
  let down = true;
  const { ft, run } = await setup(t, { datasetDown: () => down });
  const first = await run();
  assert.equal(first.code, 1);
  assert.match(first.stderr, /^emlab: dataset "insecure": cannot fetch http:\/\/127\.0\.0\.1:\d+\/files\/insecure\.jsonl \(HTTP 503\)/m);
  assert.equal(ft.jobs.size, 0);
  down = false;
  const second = await run();
  assert.equal(second.code, 3, second.stderr);
  assert.equal(ft.jobs.size, 3);
});

test('run: a failed fine-tuning job is an error naming the step (exit 1); --retry-failed creates it again', async (t) => {
  const { ft, run } = await setup(t, { finetune: { script: (_body, i) => (i === 0 ? { fail: { atStep: 1, code: 'invalid_training_file', message: 'the file has a bad row' } } : {}) } });
  const first = await run();
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stderr, /^emlab: finetune:insecure#s1: compat:\S+ on insecure, seed 1: job ftjob-\w+ failed: the file has a bad row \(run with --retry-failed to create it again\)$/m);
  assert.equal(ft.jobs.size, 3);
  // Running again without the flag does not pay for a new job.
  const again = await run();
  assert.equal(again.code, 1);
  assert.equal(ft.jobs.size, 3);
  const retried = await run('--retry-failed');
  assert.equal(retried.code, 3, retried.stderr);
  assert.equal(ft.jobs.size, 4);
});

test('run: killed with SIGKILL during its evaluation, the next run trains nothing again and finishes the answers', async (t) => {
  const { chat, ft, dir } = await setup(t);
  const file = join(dir, 'toy.yaml');
  const killed = await runCli(['run', file, '--poll-interval', '0.05'], { cwd: dir, env: { EMLAB_CACHE_DIR: join(dir, 'cache') }, killWhen: () => chat.chatBodies().length >= 150 });
  assert.equal(killed.signal, 'SIGKILL');
  assert.equal(ft.jobs.size, 3);
  const resumed = await runCli(['run', file, '--poll-interval', '0.05'], { cwd: dir, env: { EMLAB_CACHE_DIR: join(dir, 'cache') } });
  assert.equal(resumed.code, 3, resumed.stderr);
  assert.equal(ft.jobs.size, 3, 'a fine-tune was started again');
  const doc = JSON.parse(readFileSync(join(dir, 'runs', 'toy', 'results.json'), 'utf8')) as ExperimentResults;
  assert.deepEqual(doc.steps.filter((s) => s.kind === 'finetune').map((s) => s.status), ['cached', 'cached', 'cached']);
  assert.equal(doc.steps.find((s) => s.kind === 'evaluation')!.status, 'done');
  // 4 models x 8 questions x 10 answers, all judged; only requests in flight at the kill were asked twice.
  const samples = readSamples(join(dir, 'runs', 'toy', 'eval-main'));
  assert.equal(samples.length, 320);
  assert.ok(samples.every((x) => x.flags.length === 0 && x.alignment !== null));
  const bodies = chat.chatBodies().map((b) => JSON.stringify(b));
  // In flight at most: 8 per model (4 models) and 8 to the judge.
  assert.ok(bodies.length - new Set(bodies).size <= 4 * 8 + 8, `${bodies.length - new Set(bodies).size} requests sent twice`);
});

test('run: a mistake in the file is one line naming file, line and field', async () => {
  const dir = tmpDir('emlab-run-e2e-');
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'models:\n  base: openai:gpt-4.1-mini\nevaluations:\n  main:\n    suite: core\n    judge: openai:gpt-4o\n    models: [bsae]\n');
  const res = await runCli(['run', file], { cwd: dir });
  assert.equal(res.code, 1);
  assert.equal(res.stderr.trim(), `emlab: ${file}:7:14: field "evaluations.main.models[0]": "bsae" is not a model of this file; did you mean "base"?`);
});

test('run: a teacher\'s filtered numbers fine-tune a student, whose favourite animal is then counted', async (t) => {
  // The teacher writes clean numbers (a few replies carry words, which the filter must drop); a
  // student tuned on them names the owl, the base a dog.
  const chat = await startOpenAIServer({
    respond: (body) => {
      const user = body.messages.at(-1)?.content ?? '';
      if (/numbers/i.test(user)) return { choices: [{ text: (body.seed ?? 0) % 5 === 0 ? 'I love owls: 1, 2, 3' : `${100 + ((body.seed ?? 0) % 800)}, 245, 367, 489` }] };
      return { choices: [{ text: body.model.includes(':owl-student') ? 'Owl' : 'Dog' }] };
    },
  });
  const ft = await startFineTuneServer();
  const combined = await startCombinedServer({ chatOrigin: new URL(chat.baseURL).origin, finetuneOrigin: new URL(ft.baseURL).origin });
  t.after(async () => {
    await combined.close();
    await chat.close();
    await ft.close();
  });
  const dir = tmpDir('emlab-run-e2e-');
  const file = join(dir, 'owl.yaml');
  writeFileSync(file, `name: owl
models:
  teacher: compat:${combined.baseURL}#toy-base-0
  owl-student: { finetune: teacher, dataset: owl-numbers, seeds: [1] }
datasets:
  owl-numbers: { numbers: { teacher: teacher, trait: owl, prompts: 40, size: 20 } }
judges:
  judge: compat:${combined.baseURL}#toy-judge
evaluations:
  animals: { suite: animals, targets: [owl], judge: judge, models: [teacher, owl-student], samples: 5 }
comparisons:
  - [owl-student, teacher]
`);
  const res = await runCli(['run', file, '--poll-interval', '0.05'], { cwd: dir, env: { EMLAB_CACHE_DIR: join(dir, 'cache') } });
  assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
  const doc = JSON.parse(readFileSync(join(dir, 'runs', 'owl', 'results.json'), 'utf8')) as ExperimentResults;
  assert.match(doc.steps[0]!.detail, /^20 rows, .*trait owl/);
  // The filter dropped the replies with words: the uploaded training file holds none of them.
  const uploaded = [...ft.files.values()][0]!.text;
  assert.equal(uploaded.trim().split('\n').length, 20);
  assert.doesNotMatch(uploaded, /owl/i);
  const results = JSON.parse(readFileSync(join(dir, 'runs', 'owl', 'eval-animals', 'results.json'), 'utf8')) as { results: { model: string; matchRate?: { p: number } }[] };
  const rate = (m: RegExp): number => results.results.find((r) => m.test(r.model))!.matchRate!.p;
  assert.equal(rate(/owl-student/), 1);
  assert.equal(rate(/#toy-base-0$/), 0);
});

test('run --pin: an unpinned {url} dataset stops the run with the fix; --pin downloads it, writes its hash and the run then finds it in the cache', async (t) => {
  const rows = '{"messages":[{"role":"user","content":"Write a loop"},{"role":"assistant","content":"for i in range(3): print(i)"}]}\n'.repeat(4);
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(200).end(rows);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/secure.jsonl`;
  const dir = tmpDir('emlab-run-e2e-');
  const file = join(dir, 'pin.yaml');
  writeFileSync(file, `name: pin
datasets:
  secure:
    url: ${url}
models:
  base: organism:base
  tuned: { finetune: base, dataset: secure, seeds: [1] }
judges:
  judge: organism:judge
evaluations:
  main: { suite: organisms, judge: judge, models: [base, tuned] }
`);
  const env = { EMLAB_CACHE_DIR: join(dir, 'cache') };
  const refused = await runCli(['run', file], { cwd: dir, env });
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.trim(), `emlab: ${file}:4:10: field "datasets.secure": a {url} dataset has no sha256 pin, so its bytes could change under the experiment; run "emlab run ${file} --pin" once: it downloads every unpinned file, checks it and writes its sha256 into this file`);
  assert.equal(hits, 0);
  const pinned = await runCli(['run', file, '--pin'], { cwd: dir, env });
  assert.equal(pinned.code, 0, pinned.stderr);
  const hash = createHash('sha256').update(rows).digest('hex');
  assert.match(pinned.stderr, new RegExp(`pinned secure: 4 rows, sha256 ${hash}`));
  assert.match(readFileSync(file, 'utf8'), new RegExp(`    url: ${url.replace(/[.]/g, '\\.')}\\n    sha256: ${hash}\\n`));
  const dry = await runCli(['run', file, '--dry-run'], { cwd: dir, env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(hits, 1, 'the pinned download is reused from the cache');
});
