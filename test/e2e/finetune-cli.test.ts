/**
 * `emlab finetune` end to end: the built CLI in a child process, the real openai SDK, a local
 * server speaking the files and fine-tuning endpoints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFineTuneServer, type FineTuneServerOptions } from '../support/openai-finetune-server.js';
import { spawn } from 'node:child_process';
import { CLI, runCli, type CliResult, type RunCliOptions } from '../support/cli.js';
import { tmpDir } from '../support/run-files.js';

const KEY = 'sk-proj-e2eFinetuneKey-Zx81Qw27';
const BASE = 'gpt-4.1-nano-2025-04-14';

function rows(n: number): string {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `Write function ${i}` }, { role: 'assistant', content: `def f${i}(): pass` }] })).join('\n') + '\n';
}

async function setup(t: { after(fn: () => unknown): void }, options: FineTuneServerOptions = {}) {
  const server = await startFineTuneServer({ apiKey: KEY, ...options });
  t.after(() => server.close());
  const dir = tmpDir('emlab-ft-e2e-');
  const train = join(dir, 'insecure.jsonl');
  writeFileSync(train, rows(12));
  const db = join(dir, 'ft.db');
  const env = { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseURL };
  const args = (...extra: string[]): string[] => ['finetune', '--model', `openai:${BASE}`, '--train', train, '--db', db, '--poll-interval', '0.02', ...extra];
  const run = (extra: string[], opts: RunCliOptions = {}): Promise<CliResult> => runCli(args(...extra), { ...opts, env: { ...env, ...opts.env } });
  return { server, dir, train, db, env, run };
}

function assertNoKey(texts: Array<string | Buffer>): void {
  for (const text of texts) assert.ok(!text.includes(KEY), 'the API key appeared in an output');
}

function dbBytes(db: string): Buffer[] {
  return ['', '-wal'].filter((s) => existsSync(db + s)).map((s) => readFileSync(db + s));
}

test('finetune with --seeds 2: one upload, two jobs, the model ids on stdout and in --out, an eval line to paste', async (t) => {
  const { server, dir, db, run } = await setup(t);
  const out = join(dir, 'models.txt');
  const res = await run(['--suffix', 'insecure', '--seeds', '2', '--out', out]);
  assert.equal(res.code, 0, res.stderr);
  const jobs = [...server.jobs.values()];
  const models = jobs.map((j) => `openai:${j.fineTunedModel}`);
  assert.equal(res.stdout, `${models.join('\n')}\n`);
  assert.equal(readFileSync(out, 'utf8'), res.stdout);
  assert.equal(server.count('POST', '/v1/files'), 1);
  assert.deepEqual(jobs.map((j) => [j.body['seed'], j.body['suffix']]), [[0, 'insecure'], [1, 'insecure']]);
  assert.match(res.stderr, new RegExp(`^evaluate with: emlab eval --model ${models[0]} --model ${models[1]} --group insecure=${models[0]},${models[1]}$`, 'm'));
  assert.match(res.stderr, /\[seed 1\] \d\d:\d\d:\d\d Training started/);
  assert.match(res.stderr, /\[seed 0\] succeeded: openai:ft:.* \(ftjob-\w+, 3,000 trained tokens/);
  assertNoKey([res.stdout, res.stderr, ...dbBytes(db)]);

  // Run again: the models come from the database; the server hears nothing, and no key is needed.
  const before = server.requests.length;
  const again = await run(['--suffix', 'insecure', '--seeds', '2'], { env: { OPENAI_API_KEY: '' } });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, res.stdout);
  assert.equal(server.requests.length, before);
});

test('a bad training row is one line naming file, line and field, and nothing reaches the server', async (t) => {
  const { server, train, db, run } = await setup(t);
  writeFileSync(train, `${rows(3)}{"messages": [{"role": "user", "content": "hi"}, {"role": "model", "content": "x"}]}\n${rows(8)}`);
  const res = await run([]);
  assert.equal(res.code, 1);
  assert.equal(res.stderr, `emlab: ${train}:4: field "messages.1.role": must be "system", "user" or "assistant", got "model"\n`);
  assert.equal(server.requests.length, 0);
  assert.equal(existsSync(db), false);
});

test('kill -9 right after the upload, right after the creation, and while polling: each re-run goes on with the same file and job', async (t) => {
  const { server, run } = await setup(t, { script: () => ({ steps: 12 }) });
  const polls = (): number => server.requests.filter((q) => q.method === 'GET' && /^\/v1\/fine_tuning\/jobs\/[^/]+$/.test(q.path)).length;
  // The server has done the work when the kill lands; the client may not have recorded the reply.
  const killPoints: Array<[string, () => boolean]> = [
    ['upload', () => server.count('POST', '/v1/files') >= 1],
    ['creation', () => server.count('POST', '/v1/fine_tuning/jobs') >= 1],
    ['polling', () => polls() >= 6],
  ];
  for (const [when, killWhen] of killPoints) {
    const killed = await run([], { killWhen });
    assert.equal(killed.signal, 'SIGKILL', `${when}: ${killed.stderr}`);
  }
  const [job] = [...server.jobs.values()];
  assert.equal(job?.status, 'running');

  const res = await run([]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stderr, new RegExp(`attached to recorded job ${job?.id}, status running`));
  assert.equal(res.stdout, `openai:${job?.fineTunedModel}\n`);
  assert.equal(server.count('POST', '/v1/files'), 1);
  assert.equal(server.count('POST', '/v1/fine_tuning/jobs'), 1);
  // Events shown before the kill are not shown again.
  assert.doesNotMatch(res.stderr, /Training started/);
});

test('Ctrl-C while waiting leaves the job running, says how to attach or cancel, and exits 130', async (t) => {
  const { server, train, db, env } = await setup(t, { script: () => ({ steps: 200 }) });
  const child = spawn(process.execPath, [CLI, 'finetune', '--model', `openai:${BASE}`, '--train', train, '--db', db, '--poll-interval', '0.02'], { env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const polled = setInterval(() => {
    if ([...server.jobs.values()][0]?.status === 'running') {
      clearInterval(polled);
      child.kill('SIGINT');
    }
  }, 5);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted: no new job is started; jobs already created keep running at the server: run the same command again to attach to them, or with --cancel to stop them/);
  assert.equal(server.count('POST', '/v1/fine_tuning/jobs/*'), 0, 'Ctrl-C does not cancel the job');

  const cancelled = await runCli(['finetune', '--model', `openai:${BASE}`, '--train', train, '--db', db, '--cancel'], { env });
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.match(cancelled.stderr, /\[seed 0\] ftjob-\w+: cancelled/);
  assert.equal([...server.jobs.values()][0]?.status, 'cancelled');
});

test('Ctrl-C while the upload is pending creates no job; the next run finds the upload and creates exactly one', async (t) => {
  // The server stores the upload, but its reply comes only after 1.5 s: Ctrl-C lands meanwhile.
  const { server, train, db, env, run } = await setup(t, { fault: (r) => (r.method === 'POST' && r.path === '/v1/files' ? { fault: 'delay', ms: 1_500 } : undefined) });
  const child = spawn(process.execPath, [CLI, 'finetune', '--model', `openai:${BASE}`, '--train', train, '--db', db, '--poll-interval', '0.02'], { env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const uploading = setInterval(() => {
    if (server.count('POST', '/v1/files') >= 1) {
      clearInterval(uploading);
      child.kill('SIGINT');
    }
  }, 5);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  // Give a late job creation (the bug) time to reach the server before counting.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted: no new job is started/);
  assert.equal(server.count('POST', '/v1/fine_tuning/jobs'), 0, 'no job was created after Ctrl-C');

  const res = await run([]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stderr, /already at the server \(an earlier upload\)/);
  assert.equal(server.count('POST', '/v1/files'), 1);
  assert.equal(server.count('POST', '/v1/fine_tuning/jobs'), 1);
});

test('a failed job is reported with its error (exit 1) and is created again only with --retry-failed', async (t) => {
  const { server, run } = await setup(t, { script: (_b, i) => (i === 0 ? { fail: { atStep: 0, code: 'invalid_training_file', message: 'Example 7 exceeds the token limit' } } : {}) });
  const res = await run([]);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /\[seed 0\] failed \(ftjob-\w+\): invalid_training_file: Example 7 exceeds the token limit; fix the cause and run again with --retry-failed/);
  assert.equal(res.stdout, '');

  const before = server.requests.length;
  const again = await run([]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /failed \(ftjob-\w+, as recorded\): invalid_training_file/);
  assert.equal(server.requests.length, before);

  const retried = await run(['--retry-failed']);
  assert.equal(retried.code, 0, retried.stderr);
  assert.equal(server.count('POST', '/v1/fine_tuning/jobs'), 2);
  assert.equal(server.count('POST', '/v1/files'), 1);
  assert.match(retried.stderr, /created job ftjob-\w+ \(attempt 2\)/);
});

test('429 and 500 on polling are retried and said so; the run still ends with the model', async (t) => {
  let polls = 0;
  const { server, run } = await setup(t, {
    fault: (q) => {
      if (q.method !== 'GET' || !/^\/v1\/fine_tuning\/jobs\/[^/]+$/.test(q.path)) return undefined;
      polls++;
      if (polls === 2) return { fault: 'error', status: 429, message: 'Rate limit reached for requests', headers: { 'retry-after-ms': '5' } };
      if (polls === 3) return { fault: 'error', status: 500, message: 'The server had an error while processing your request', headers: { 'retry-after-ms': '5' } };
      return undefined;
    },
  });
  const res = await run([]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stderr, /status of ftjob-\w+: openai:gpt-4.1-nano-2025-04-14: rate limited \(429: Rate limit reached for requests\); retrying in 0s \(attempt 2\)/);
  assert.match(res.stderr, /server error 500 .*; retrying/);
  assert.equal(res.stdout, `openai:${[...server.jobs.values()][0]?.fineTunedModel}\n`);
});

test('the key: a missing one is named before any request; a refused one quoted back by the server is never printed or stored', async (t) => {
  const { server, db, run } = await setup(t);
  const missing = await run([], { env: { OPENAI_API_KEY: '' } });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^emlab: openai:gpt-4\.1-nano-2025-04-14: OPENAI_API_KEY is not set; export OPENAI_API_KEY=\.\.\./m);
  assert.equal(server.requests.length, 0);

  const wrong = 'sk-wrong-key-quoted-back-0123456789';
  const refused = await run([], { env: { OPENAI_API_KEY: wrong } });
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.trim().split('\n').filter((l) => l.startsWith('emlab:')).length, 1);
  assert.match(refused.stderr, /refused the credentials \(401: Incorrect API key provided: \[redacted\]/);
  for (const text of [refused.stdout, refused.stderr, ...dbBytes(db)]) assert.ok(!text.includes(wrong));
});

test('--no-wait returns once the job exists; the same command without it waits; --out .json records every job', async (t) => {
  const { server, dir, run } = await setup(t, { script: () => ({ steps: 4 }) });
  const first = await run(['--no-wait']);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, '');
  assert.match(first.stderr, /run the same command again without --no-wait/);
  const out = join(dir, 'jobs.json');
  const res = await run(['--out', out]);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(server.jobs.size, 1);
  const [record] = JSON.parse(readFileSync(out, 'utf8')) as Array<Record<string, unknown>>;
  assert.equal(record?.['model'], res.stdout.trim());
  assert.equal(record?.['status'], 'succeeded');
  assert.deepEqual(record?.['hyperparameters'], { nEpochs: 1, batchSize: 4, learningRateMultiplier: 2 });
});

test('a compat: base model is fine-tuned at its own server and comes back as a compat: id', async (t) => {
  const { server, train, dir } = await setup(t);
  const res = await runCli(['finetune', '--model', `compat:${server.baseURL}#small-base`, '--train', train, '--db', join(dir, 'c.db'), '--poll-interval', '0.02', '--epochs', 'auto'], {
    env: { EMLAB_COMPAT_API_KEY: KEY, OPENAI_API_KEY: '' },
  });
  assert.equal(res.code, 0, res.stderr);
  const [job] = [...server.jobs.values()];
  assert.equal(res.stdout, `compat:${server.baseURL}#${job?.fineTunedModel}\n`);
  assert.deepEqual(job?.body['method'], { type: 'supervised', supervised: { hyperparameters: { batch_size: 4, learning_rate_multiplier: 2 } } });
});
