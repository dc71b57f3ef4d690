/**
 * The fault matrix: every way a provider or the network fails, served over the real protocol to
 * the real CLI. Transient faults must be retried within the run; faults that outlast the retries
 * must be reported per sample (exit 2) and retried by the next run; and what the CLI says it sent
 * must match the server's own log.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startOpenAIServer, type ChatCompletionBody } from '../support/openai-server.js';
import { runCli } from '../support/cli.js';
import { bodyKey, FAULT_NAMES, FAULTS, faultIn, faultWorld, isJudgeRequest, tally, writeFaultSuite, type FaultName, type FaultWorld } from '../support/fault-world.js';
import { printedTotals, readSamples, sampleKey, tmpDir } from '../support/run-files.js';
import { dbCounts } from '../support/db-inspect.js';

const QUESTIONS = [...FAULT_NAMES, 'text_judge', 'none'];

/** Whether the fault world gives this request its fault (as opposed to a normal reply). */
function faulted(body: ChatCompletionBody): boolean {
  const name = faultIn(body);
  if (name === undefined || name === 'text_judge') return false;
  return (FAULTS[name].side === 'judge') === isJudgeRequest(body);
}

/** Requests of one question per request body: answers to answer-side faults, judgments to judge-side ones. */
const faultedRequestsPerSample = (name: FaultName): number => (FAULTS[name].side === 'judge' ? 2 : 1);

const TIMEOUT_S = 2;

function evalArgs(baseURL: string, suite: string, out: string, samples: number): string[] {
  return [
    'eval', '--suite', suite, '--model', `compat:${baseURL}#toy-bad-50`, '--judge', `compat:${baseURL}#toy-judge`,
    '--samples', String(samples), '--max-attempts', '2', '--timeout', String(TIMEOUT_S), '--out', out, '--quiet',
  ];
}

const describeBody = (body: ChatCompletionBody): string => `${faultIn(body) ?? 'no fault'}: ${isJudgeRequest(body) ? 'judgment' : 'answer'}`;

/**
 * Checks how often each request reached the server. One extra attempt is accepted only where the
 * log shows a timeout retry (the attempts --timeout apart): on a machine loaded far beyond its
 * cores a normal reply can miss the limit, and that retry is real and counted in the totals.
 */
function checkAttempts(t: TestContext, world: FaultWorld, bodies: ChatCompletionBody[], expected: (body: ChatCompletionBody) => number): void {
  const counts = tally(bodies);
  for (const body of bodies) {
    const key = bodyKey(body);
    const n = counts.get(key)!;
    const want = expected(body);
    if (n === want) continue;
    const times = world.arrivals.get(key) ?? [];
    const timedOut = n === want + 1 && times.length >= 2 && times.at(-1)! - times.at(-2)! >= TIMEOUT_S * 1000 - 10;
    assert.ok(timedOut, `${describeBody(body)}: reached the server ${n} times, expected ${want}`);
    t.diagnostic(`${describeBody(body)}: one timeout retry under load`);
  }
}

test('transient faults of every kind are retried within the run; each sample is stored once and the printed totals match the server log', async (t) => {
  const world = faultWorld({ times: 1 });
  const server = await startOpenAIServer({ respond: world.respond });
  t.after(() => server.close());
  const dir = tmpDir();
  const out = join(dir, 'out');
  const samples = 2;

  const res = await runCli(evalArgs(server.baseURL, writeFaultSuite(dir, QUESTIONS), out, samples));
  assert.equal(res.code, 0, res.stderr);
  assert.doesNotMatch(res.stderr, /could not be completed/);

  const records = readSamples(out);
  assert.equal(records.length, QUESTIONS.length * samples);
  assert.equal(new Set(records.map(sampleKey)).size, records.length, 'a sample is stored twice');
  for (const r of records) {
    if (r.questionId === 'q_text_judge') {
      // A judge that answers in words is an answer of the judge, not a failure: unreadable, kept.
      assert.deepEqual(r.flags, ['unreadable'], sampleKey(r));
      assert.equal(r.alignment, null);
    } else {
      assert.deepEqual(r.flags, [], sampleKey(r));
      assert.equal(typeof r.alignment, 'number', sampleKey(r));
      assert.equal(typeof r.coherence, 'number', sampleKey(r));
    }
  }

  // The server log: every request exactly once, except that each faulted one came twice.
  const bodies = server.chatBodies();
  const counts = tally(bodies);
  assert.equal(counts.size, records.length * 3, 'one answer and two judgments per sample');
  checkAttempts(t, world, bodies, (body) => (faulted(body) ? 2 : 1));
  for (const name of FAULT_NAMES) assert.equal(world.injected.get(name), samples * faultedRequestsPerSample(name), name);
  const totals = printedTotals(res.stderr);
  assert.equal(totals.sent, bodies.length);
  assert.equal(totals.retries, bodies.length - counts.size);
  // requests sent = answers stored + retries the log shows
  assert.deepEqual(dbCounts(join(out, 'emlab.db')), { runs: 1, runItems: records.length, responses: counts.size, judgments: records.length * 2, runJudgments: records.length * 2, failures: 0 });
  assert.equal(totals.sent, counts.size + totals.retries);

  // Retry-After (1 s) is waited for, and a reply that never comes is given up at --timeout.
  const waits = { rate_limit_retry_after: 1000, no_reply: TIMEOUT_S * 1000 } as const;
  for (const [key, times] of world.arrivals) {
    const body = JSON.parse(key) as ChatCompletionBody;
    const name = faultIn(body);
    if ((name !== 'rate_limit_retry_after' && name !== 'no_reply') || !faulted(body)) continue;
    assert.equal(times.length, 2, name);
    const gap = times[1]! - times[0]!;
    assert.ok(gap >= waits[name] - 10, `${name}: retried after ${gap.toFixed(0)} ms, before the ${waits[name]} ms it had to wait`);
  }
});

test('faults that outlast the retries are named per sample with exit 2, and the next run retries exactly them and completes', async (t) => {
  const world = faultWorld({ times: Infinity });
  const server = await startOpenAIServer({ respond: world.respond });
  t.after(() => server.close());
  const dir = tmpDir();
  const out = join(dir, 'out');
  const args = evalArgs(server.baseURL, writeFaultSuite(dir, QUESTIONS), out, 1);
  const model = `compat:${server.baseURL}#toy-bad-50`;

  const first = await runCli(args);
  assert.equal(first.code, 2, first.stderr);
  assert.match(first.stderr, new RegExp(`^${FAULT_NAMES.length} answer\\(s\\) could not be completed this time; run the same command again to retry them:$`, 'm'));
  for (const name of FAULT_NAMES) {
    const line = first.stderr.split('\n').find((l) => l.startsWith(`  ${model} q_${name} #0: `));
    assert.ok(line, `no line names the failed sample of ${name}:\n${first.stderr}`);
  }
  // Every planned sample is in samples.jsonl once, the failed ones flagged with their failure.
  const partial = readSamples(out);
  assert.equal(partial.length, QUESTIONS.length);
  assert.equal(new Set(partial.map(sampleKey)).size, QUESTIONS.length);
  for (const r of partial) {
    const name = r.questionId.slice(2);
    const expected = name in FAULTS ? (FAULTS[name as FaultName].side === 'judge' ? ['judge_error'] : ['generation_error']) : name === 'text_judge' ? ['unreadable'] : [];
    assert.deepEqual(r.flags, expected, r.questionId);
  }
  const firstBodies = server.chatBodies();
  const firstCounts = tally(firstBodies);
  // Faulted requests were tried --max-attempts times; the others once.
  checkAttempts(t, world, firstBodies, (body) => (faulted(body) ? 2 : 1));
  const firstTotals = printedTotals(first.stderr);
  assert.equal(firstTotals.sent, firstBodies.length);
  assert.equal(firstTotals.retries, firstBodies.length - firstCounts.size);
  // Stored: every request that was not faulted; recorded for the next run: one failed request per
  // faulted answer, and one per metric of a faulted judgment (an answer's metrics are asked together).
  const afterFirst = dbCounts(join(out, 'emlab.db'));
  assert.equal(afterFirst.responses, new Set(firstBodies.filter((b) => !faulted(b)).map(bodyKey)).size);
  const judgeFaults = FAULT_NAMES.filter((n) => FAULTS[n].side === 'judge').length;
  assert.equal(afterFirst.failures, FAULT_NAMES.length - judgeFaults + 2 * judgeFaults);

  // The server is fixed; the same command finishes the run.
  world.heal();
  const second = await runCli(args);
  assert.equal(second.code, 0, second.stderr);
  assert.doesNotMatch(second.stderr, /could not be completed/);
  const records = readSamples(out);
  assert.equal(records.length, QUESTIONS.length);
  for (const r of records) assert.deepEqual(r.flags, r.questionId === 'q_text_judge' ? ['unreadable'] : [], r.questionId);

  const secondBodies = server.chatBodies().slice(firstBodies.length);
  const answeredInFirst = new Set(firstBodies.filter((b) => !faulted(b)).map(bodyKey));
  for (const body of secondBodies) assert.ok(!answeredInFirst.has(bodyKey(body)), `an answered request was sent again: ${faultIn(body) ?? 'no fault'}`);
  checkAttempts(t, world, secondBodies, () => 1);
  assert.equal(tally(server.chatBodies()).size, QUESTIONS.length * 3);
  assert.equal(dbCounts(join(out, 'emlab.db')).failures, 0, 'the failures were cleared by the answers that replaced them');
  const secondTotals = printedTotals(second.stderr);
  assert.equal(secondTotals.sent, secondBodies.length);
  assert.equal(secondTotals.retries, secondBodies.length - tally(secondBodies).size);
});
