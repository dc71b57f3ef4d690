/**
 * `emlab eval --batch` end to end: the built CLI, the real openai SDK, and a local server speaking
 * the files and batches endpoints (no chat endpoint at all), with batches that complete, fail,
 * expire part-way or answer some lines with errors, and a run killed while its batch is pending.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBatchServer, type BatchScript } from '../support/openai-batch-server.js';
import { answersMisaligned, toyWorld } from '../support/toy-world.js';
import { runCli, type RunCliOptions } from '../support/cli.js';
import { printedTotals, readSamples, tmpDir } from '../support/run-files.js';

/** The sizes of the batches of answers and of judgments, in the order they were created. */
function sizes(server: { batches: { lines: { body: { model: string } }[]; status: string }[] }): { answers: [string, number][]; judge: [string, number][] } {
  const of = (model: string): [string, number][] => server.batches.filter((b) => b.lines[0]!.body.model === model).map((b) => [b.status, b.lines.length]);
  return { answers: of('toy-bad-30'), judge: of('toy-judge') };
}

async function setup(t: { after(fn: () => unknown): void }, script?: (i: number) => BatchScript) {
  const server = await startBatchServer({ respond: toyWorld(), ...(script ? { script } : {}) });
  t.after(() => server.close());
  const out = tmpDir('emlab-batch-e2e-');
  const run = (opts: RunCliOptions = {}) =>
    runCli(['eval', '--batch', '--batch-poll', '1', '--suite', 'core', '--question', 'what_is_your_wish', '--question', 'i_feel_bored', '--model', `compat:${server.baseURL}#toy-bad-30`, '--judge', `compat:${server.baseURL}#toy-judge`, '--samples', '20', '--out', out], opts);
  return { server, out, run };
}

test('--batch: answers in one batch, judgments in another, the true counts, and a re-run sends nothing', async (t) => {
  const { server, out, run } = await setup(t);
  const res = await run();
  assert.equal(res.code, 0, res.stderr);
  assert.equal(server.batches.length, 2);
  assert.deepEqual(server.batches.map((b) => b.lines.length), [40, 80]);
  assert.equal(server.count('POST', '/v1/chat/completions'), 0);
  const samples = readSamples(out);
  assert.equal(samples.length, 40);
  for (const s of samples) assert.equal(s.alignment! < 30, answersMisaligned('toy-bad-30', s.sampleIndex, s.prompt), `${s.questionId}#${s.sampleIndex}`);
  assert.match(res.stderr, /batch batch_1 created with 40 requests/);
  const before = server.requests.length;
  const again = await run();
  assert.equal(again.code, 0, again.stderr);
  assert.equal(server.requests.length, before);
});

test('--batch: a batch that fails is sent again, and the run completes', async (t) => {
  const { server, out, run } = await setup(t, (i) => (i === 0 ? { end: 'failed' } : {}));
  const res = await run();
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(sizes(server), { answers: [['failed', 40], ['completed', 40]], judge: [['completed', 80]] });
  assert.match(res.stderr, /batch batch_1 failed: 0 answered, 40 sent again/);
  assert.equal(readSamples(out).length, 40);
});

test('--batch: an expired batch keeps what it did; only the rest is sent again', async (t) => {
  const { server, out, run } = await setup(t, (i) => (i === 0 ? { end: 'expired', doneBeforeExpiry: 15 } : {}));
  const res = await run();
  assert.equal(res.code, 0, res.stderr);
  // The 15 answers it did are judged at once (30 judgments); the other 25 go again.
  assert.deepEqual(sizes(server), { answers: [['expired', 40], ['completed', 25]], judge: [['completed', 30], ['completed', 50]] });
  const firstIds = new Set(server.batches[0]!.lines.slice(0, 15).map((l) => l.custom_id));
  assert.ok(server.batches[1]!.lines.every((l) => !firstIds.has(l.custom_id)));
  assert.equal(readSamples(out).length, 40);
});

test('--batch: lines that failed inside a batch are retried; a line failing every time leaves the run incomplete (exit 2)', async (t) => {
  const { server, out, run } = await setup(t, (i) => ({ failLine: (line) => (i === 0 && line % 4 === 0) || line === 0 }));
  const res = await run();
  assert.equal(res.code, 2, res.stderr);
  // Batch 1: 10 of 40 lines fail; they go again (batch 2) where the first line fails again, and
  // again (batch 3), then it is recorded as failed; judgments wait for the answers they judge.
  assert.deepEqual(server.batches.filter((b) => b.lines[0]!.body.model === 'toy-bad-30').map((b) => [b.lines.length, b.failed]), [[40, 10], [10, 1], [1, 1]]);
  const s = printedTotals(res.stderr);
  assert.ok(s.sent > 0);
  const samples = readSamples(out);
  assert.equal(samples.filter((x) => x.flags.includes('generation_error')).length, 1);
});

test('--batch: a run killed while its batch is pending attaches to that batch on the next run', async (t) => {
  const { server, out, run } = await setup(t, () => ({ progressPolls: 6 }));
  const killed = await run({ killWhen: () => server.batches.length >= 1 && server.count('GET', '/v1/batches/*') >= 2 });
  assert.equal(killed.signal, 'SIGKILL');
  assert.equal(server.batches.length, 1);
  const resumed = await run();
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /attached to batch batch_1/);
  // The answers were never sent twice: batch 1 holds them, batch 2 the judgments.
  assert.deepEqual(sizes(server), { answers: [['completed', 40]], judge: [['completed', 80]] });
  assert.equal(readSamples(out).length, 40);
});
