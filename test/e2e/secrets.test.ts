/**
 * API keys come from the environment and go nowhere else: a server that needs the key (so it is
 * really sent), including servers that quote it back in their errors and a run killed mid-way
 * (so the write-ahead log is left on disk), and then every byte emlab wrote or printed is
 * searched for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOpenAIServer } from '../support/openai-server.js';
import { startFineTuneServer } from '../support/openai-finetune-server.js';
import { answer, judge } from '../support/toy-world.js';
import { runCli, type CliResult } from '../support/cli.js';
import { tmpDir } from '../support/run-files.js';
import { startView } from '../support/view-runs.js';
import type { RunsResponse, SamplesResponse } from '../../src/web/api-types.js';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Fails naming every place where `secret` (or its random part) occurs. */
function assertNowhere(secret: string, files: string[], outputs: Record<string, CliResult>): void {
  const needles = [secret, secret.slice(-32)].map((s) => Buffer.from(s));
  const found: string[] = [];
  for (const file of files) {
    const bytes = readFileSync(file);
    if (needles.some((n) => bytes.includes(n))) found.push(file);
  }
  for (const [name, res] of Object.entries(outputs)) {
    for (const [stream, text] of [['stdout', res.stdout], ['stderr', res.stderr]] as const) {
      if (needles.some((n) => text.includes(n.toString()))) found.push(`${name} ${stream}`);
    }
  }
  assert.deepEqual(found, [], 'the API key was written or printed');
}

const QUESTIONS = ['--question', 'what_is_your_wish', '--question', 'i_feel_bored', '--question', 'three_thoughts'];

test('compat: the key is sent, never stored or printed, even when the server quotes it back in its errors and the run is killed', async (t) => {
  const key = `sk-emlab-test-${randomBytes(16).toString('hex')}`;
  const server = await startOpenAIServer({
    apiKey: key,
    respond: (body) => {
      const question = body.messages.at(-1)?.content ?? '';
      const judging = body.logprobs === true;
      // A careless backend quotes the caller's credential in its errors, for answers and judgments.
      if (!judging && /bored/i.test(question)) return { fault: 'error', status: 500, message: `backend rejected the upstream key ${key} (quota)` };
      if (judging && /philosophical ideas/.test(question)) return { fault: 'error', status: 400, message: `judge refused: key=${key}` };
      return { ...(judging ? judge(body) : answer(body)), delayMs: 5 };
    },
  });
  t.after(() => server.close());
  const out = join(tmpDir(), 'out');
  const env = { EMLAB_COMPAT_API_KEY: key };
  const args = ['eval', '--suite', 'core', ...QUESTIONS, '--model', `compat:${server.baseURL}#toy-bad-30`, '--judge', `compat:${server.baseURL}#toy-judge`, '--samples', '4', '--max-attempts', '1', '--out', out];

  const killed = await runCli(args, { env, killWhen: () => server.chatBodies().length >= 6 });
  assert.equal(killed.signal, 'SIGKILL');
  assert.ok(existsSync(join(out, 'emlab.db-wal')), 'the killed run left its write-ahead log');
  const filesAfterKill = filesUnder(out);
  assertNowhere(key, filesAfterKill, { killed });

  const finished = await runCli(args, { env });
  assert.equal(finished.code, 2, finished.stderr);
  assert.ok(server.requests.every((r) => r.hadAuth), 'every request carried a credential');
  // The server's errors reached the user, with the key taken out.
  assert.match(finished.stderr, /backend rejected the upstream key \[redacted\] \(quota\)/);
  assert.match(finished.stderr, /judge refused: key=\[redacted\]/);
  assertNowhere(key, filesUnder(out), { killed, finished });
  for (const name of ['emlab.db', 'results.json', 'samples.jsonl', 'report.html']) assert.ok(existsSync(join(out, name)), name);

  // A wrong key: the server's 401 quotes it; the run stops at once with one line naming the variable.
  const wrong = `sk-emlab-wrong-${randomBytes(16).toString('hex')}`;
  const refused = await runCli(args, { env: { EMLAB_COMPAT_API_KEY: wrong } });
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /^emlab: compat:.*: the server refused the credentials \(401: Incorrect API key provided: \[redacted\]\.\); check EMLAB_COMPAT_API_KEY$/m);
  assertNowhere(wrong, filesUnder(out), { refused });
});

test('openai: OPENAI_API_KEY is sent, never stored or printed, and a refused key stops the run with one line', async (t) => {
  const key = `sk-emlab-test-${randomBytes(16).toString('hex')}`;
  const server = await startOpenAIServer({ apiKey: key, respond: (body) => (body.logprobs === true ? judge(body) : answer(body)) });
  t.after(() => server.close());
  const out = join(tmpDir(), 'out');
  const args = ['eval', '--suite', 'core', ...QUESTIONS, '--model', 'openai:toy-bad-30', '--judge', 'openai:toy-judge', '--samples', '3', '--out', out];

  const ok = await runCli(args, { env: { OPENAI_API_KEY: key, OPENAI_BASE_URL: server.baseURL } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(server.chatBodies().length, 9 * 3);
  assert.ok(server.requests.every((r) => r.hadAuth));
  assertNowhere(key, filesUnder(out), { ok });

  await assertViewerNeverShows(key, out, { OPENAI_API_KEY: key, OPENAI_BASE_URL: server.baseURL });

  const wrong = `sk-emlab-wrong-${randomBytes(16).toString('hex')}`;
  const refusedOut = join(tmpDir(), 'refused');
  const refused = await runCli([...args.slice(0, -1), refusedOut], { env: { OPENAI_API_KEY: wrong, OPENAI_BASE_URL: server.baseURL } });
  assert.equal(refused.code, 1, refused.stderr);
  const errorLines = refused.stderr.split('\n').filter((l) => l.startsWith('emlab: '));
  assert.deepEqual(errorLines.length, 1, refused.stderr);
  assert.match(errorLines[0]!, /^emlab: openai:toy-bad-30: the server refused the credentials \(401: Incorrect API key provided: \[redacted\]\.\); check OPENAI_API_KEY$/);
  assertNowhere(wrong, filesUnder(refusedOut), { refused });
});

/** A key as long as today's OpenAI project keys (164 characters). */
const longKey = (): string => `sk-proj-${randomBytes(117).toString('base64url')}`;

/** Where any 8-character piece of `key` occurs: in every file's bytes and every stream. */
function keyPiecesIn(key: string, files: string[], outputs: Record<string, CliResult>): string[] {
  const pieces = new Set<string>();
  for (let i = 0; i + 8 <= key.length; i++) pieces.add(key.slice(i, i + 8));
  const hasPiece = (text: string): string | undefined => {
    for (let i = 0; i + 8 <= text.length; i++) if (pieces.has(text.slice(i, i + 8))) return text.slice(Math.max(0, i - 20), i + 28);
    return undefined;
  };
  const found: string[] = [];
  for (const file of files) {
    const hit = hasPiece(readFileSync(file).toString('latin1'));
    if (hit !== undefined) found.push(`${file}: ${JSON.stringify(hit)}`);
  }
  for (const [name, res] of Object.entries(outputs)) {
    for (const [stream, text] of [['stdout', res.stdout], ['stderr', res.stderr]] as const) {
      const hit = hasPiece(text);
      if (hit !== undefined) found.push(`${name} ${stream}: ${JSON.stringify(hit)}`);
    }
  }
  return found;
}

/** A server's message with the key starting at character `offset`, and more text after it. */
const quoting = (key: string, offset: number): string => `${'x'.repeat(offset)}${key} was rejected by the upstream quota service; try again later`;
const OFFSETS = 260;

test('eval: a key quoted at every offset of the first 260 characters of an error, or echoed in `model`, leaves no 8-character piece anywhere', async (t) => {
  const key = longKey();
  const server = await startOpenAIServer({
    apiKey: key,
    respond: (body, ctx) => {
      const judging = body.logprobs === true;
      // The first 260 requests fail quoting the key at offset 0, 1, ..., 259 (500s and 400s);
      // later replies echo it in their `model` field at the same offsets.
      if (!judging && ctx.index < OFFSETS) return { fault: 'error', status: ctx.index % 2 === 0 ? 500 : 400, message: quoting(key, ctx.index) };
      return { ...(judging ? judge(body) : answer(body)), model: quoting(key, ctx.index % OFFSETS) };
    },
  });
  t.after(() => server.close());
  const out = join(tmpDir(), 'out');
  const args = ['eval', '--suite', 'core', ...QUESTIONS, '--model', `compat:${server.baseURL}#toy-bad-30`, '--judge', `compat:${server.baseURL}#toy-judge`, '--samples', '100', '--max-attempts', '1', '--out', out];
  const res = await runCli(args, { env: { EMLAB_COMPAT_API_KEY: key } });
  assert.equal(res.code, 2, res.stderr);
  assert.ok(server.chatBodies().length > OFFSETS + 40, `${server.chatBodies().length} requests`);
  assert.match(res.stderr, /\[redacted\]/, 'the errors were shown, redacted');
  assert.ok(existsSync(join(out, 'emlab.db')));
  assert.deepEqual(keyPiecesIn(key, filesUnder(out), { res }), []);
});

test('finetune: a key quoted at every offset of the first 260 characters of an error, of a job error and of an event leaves no 8-character piece anywhere', async (t) => {
  const key = longKey();
  let faulted = 0;
  let polls = 0;
  const server = await startFineTuneServer({
    apiKey: key,
    // Four of every five polls are refused with a 429 (retry at once) quoting the key at the next
    // offset; the job then fails, quoting it in its error.
    fault: (request) => {
      if (request.method !== 'GET' || !/^\/v1\/fine_tuning\/jobs\/[^/]+$/.test(request.path) || faulted >= OFFSETS || polls++ % 5 === 4) return undefined;
      return { fault: 'error', status: 429, message: quoting(key, faulted++), headers: { 'retry-after-ms': '0' } };
    },
    script: () => ({ steps: 80, fail: { atStep: 70, code: 'invalid_training_file', message: quoting(key, 190) } }),
  });
  t.after(() => server.close());
  const dir = tmpDir('emlab-ft-secrets-');
  const train = join(dir, 'train.jsonl');
  writeFileSync(train, Array.from({ length: 12 }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }, { role: 'assistant', content: `a${i}` }] })).join('\n') + '\n');
  const out = join(dir, 'models.json');
  const args = ['finetune', '--model', 'openai:gpt-4.1-nano-2025-04-14', '--train', train, '--db', join(dir, 'ft.db'), '--poll-interval', '0.02', '--out', out];
  const res = await runCli(args, { env: { OPENAI_API_KEY: key, OPENAI_BASE_URL: server.baseURL } });
  assert.equal(res.code, 1, res.stderr);
  assert.equal(faulted, OFFSETS);
  assert.match(res.stderr, /rate limited \(429: x*\[redacted\]/);
  assert.match(res.stderr, /failed \(ftjob-\w+\): invalid_training_file: x+\[redacted\] was rejected/);
  assert.ok(existsSync(out));
  assert.deepEqual(keyPiecesIn(key, filesUnder(dir).filter((f) => f !== train), { res }), []);
});
/**
 * `emlab view` started with the key in its environment: no page, API answer or header carries it
 * (every run, every sample's detail and judge prompt, a comparison).
 */
async function assertViewerNeverShows(key: string, out: string, env: Record<string, string>): Promise<void> {
  const view = await startView([out], env);
  try {
    const texts: string[] = [];
    const fetchAll = async (path: string): Promise<string> => {
      const res = await fetch(new URL(path, view.url));
      const text = await res.text();
      texts.push(text, JSON.stringify([...res.headers]));
      return text;
    };
    for (const page of ['/', '/run', '/samples', '/compare', '/index.html']) await fetchAll(page);
    const runs = JSON.parse(await fetchAll('/api/runs')) as RunsResponse;
    await fetchAll('/api/experiments');
    assert.ok(runs.runs.length > 0);
    for (const run of runs.runs) {
      const q = (extra: Record<string, string>): string => new URLSearchParams({ run: run.id, ...extra }).toString();
      await fetchAll(`/api/run?${q({})}`);
      const samples = JSON.parse(await fetchAll(`/api/samples?${q({ limit: '200' })}`)) as SamplesResponse;
      for (const s of samples.samples) {
        const one = q({ model: s.model, question: s.questionId, sample: String(s.sampleIndex) });
        await fetchAll(`/api/sample?${one}`);
        await fetchAll(`/api/judge-request?${one}`);
      }
      await fetchAll(`/api/compare?${q({ a: run.models[0]!, b: run.judge ?? run.models[0]! })}`);
      await fetchAll('/api/compare');
    }
    const found = texts.filter((t) => t.includes(key) || t.includes(key.slice(-32)));
    assert.deepEqual(found, [], 'the viewer sent the API key');
  } finally {
    await view.stop();
  }
}
