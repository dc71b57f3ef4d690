/**
 * Answers are committed in groups (src/store/group-commit.ts), but never after their request left
 * its place among those in flight: a run with many requests in flight, killed with -9 mid-way and
 * run again, sends again no more requests than were in flight at the kill. The server counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startOpenAIServer } from '../support/openai-server.js';
import { runCli } from '../support/cli.js';
import { bodyWireKey, storedWireKeys } from '../support/db-inspect.js';
import { tmpDir } from '../support/run-files.js';

const SAMPLES = 1_200;
const CONCURRENCY = 64;

test(`killed with -9 at ${CONCURRENCY} in flight, the next run re-sends at most ${CONCURRENCY} requests and completes`, async (t) => {
  const server = await startOpenAIServer({ respond: () => ({ choices: [{ text: 'Owl' }], usage: { inputTokens: 12, outputTokens: 1 }, delayMs: 40 }) });
  t.after(() => server.close());
  const out = join(tmpDir(), 'out');
  const args = ['eval', '--suite', 'animals', '--target', 'owl', '--samples', String(SAMPLES), '--concurrency', String(CONCURRENCY), '--model', `compat:${server.baseURL}#fast`, '--out', out, '--quiet'];

  const killed = await runCli(args, { killWhen: () => server.chatBodies().length >= SAMPLES / 2 });
  assert.equal(killed.signal, 'SIGKILL', `the run finished before its kill: ${killed.stderr}`);
  const sentBeforeKill = server.chatBodies().length;
  const stored = storedWireKeys(join(out, 'emlab.db'));
  assert.ok(stored.size > 0 && stored.size < SAMPLES, `${stored.size} answers stored at the kill`);
  const lostInFlight = sentBeforeKill - stored.size;
  assert.ok(lostInFlight >= 0 && lostInFlight <= CONCURRENCY, `${lostInFlight} requests sent and not stored at the kill`);

  const resumed = await runCli(args);
  assert.equal(resumed.code, 0, resumed.stderr);
  const again = server.chatBodies().slice(sentBeforeKill);
  assert.equal(again.length, SAMPLES - stored.size, 'the resumed run sends exactly what was not stored');
  for (const body of again) assert.ok(!stored.has(bodyWireKey(body)), 'a stored answer was asked again');
  assert.equal(storedWireKeys(join(out, 'emlab.db')).size, SAMPLES);
  t.diagnostic(`${sentBeforeKill} requests before the kill, ${stored.size} answers stored, ${again.length} sent by the resumed run (${lostInFlight} again)`);
});
