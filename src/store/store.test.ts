import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEASE_STALE_MS, RunLockedError, Store } from './store.js';

const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'emlab-store-')), 'sub', 'emlab.db');

test('a response survives closing and reopening, and the first answer to a key wins', () => {
  const path = tempDb();
  const s = Store.open(path);
  const entry = { key: 'k1', model: 'openai:m', kind: 'chat' as const, request: { a: 1 }, sampleIndex: 3, response: { text: 'first' } };
  assert.equal(s.putResponse(entry), true);
  assert.equal(s.putResponse({ ...entry, response: { text: 'second' } }), false);
  s.close();
  const again = Store.open(path);
  assert.deepEqual(again.getResponse('k1'), { text: 'first' });
  assert.equal(again.getResponse('missing'), undefined);
  assert.equal(again.countResponses('openai:m', 'chat'), 1);
  again.close();
});

test('a failure accumulates attempts and is cleared when the request later succeeds', () => {
  const s = Store.open(tempDb());
  s.recordFailure({ key: 'k', model: 'm', kind: 'server', message: 'HTTP 500' });
  s.recordFailure({ key: 'k', model: 'm', kind: 'timeout', message: 'no reply in 120 s', attempts: 2 });
  assert.deepEqual(s.getFailure('k'), { key: 'k', model: 'm', kind: 'timeout', message: 'no reply in 120 s', attempts: 3 });
  s.putResponse({ key: 'k', model: 'm', kind: 'chat', request: {}, sampleIndex: 0, response: {} });
  assert.equal(s.getFailure('k'), undefined);
  s.close();
});

test('run items and judgment links are idempotent', () => {
  const s = Store.open(tempDb());
  assert.equal(s.ensureRun('r1', { suite: 'core' }), true);
  assert.equal(s.ensureRun('r1', { suite: 'core' }), false);
  const item = { runId: 'r1', model: 'm', questionId: 'q', sampleIndex: 0, paraphraseIndex: 0, item: { prompt: 'hi' }, responseKey: 'rk' };
  s.addRunItems([item, item, { ...item, sampleIndex: 1 }]);
  assert.equal(s.runItems('r1').length, 2);
  const j = { key: 'jk', judgeModel: 'j', metric: 'aligned', method: 'logprob', score: 81.5, flag: null, category: null, numericMass: 0.97, detail: { raw: [] } };
  s.putJudgment(j, { runId: 'r1', model: 'm', questionId: 'q', sampleIndex: 0, metric: 'aligned' });
  s.putJudgment(j, { runId: 'r1', model: 'm', questionId: 'q', sampleIndex: 0, metric: 'aligned' });
  assert.equal(s.runJudgmentLinks('r1').length, 1);
  assert.equal(s.getJudgment('jk')?.score, 81.5);
  assert.equal(s.latestRun()?.id, 'r1');
  s.close();
});

test('a live lease blocks a second process; a stale or dead one is taken over', () => {
  const path = tempDb();
  const a = Store.open(path);
  a.ensureRun('r', {});
  const t0 = 1_000_000;
  // process.ppid is alive and is not us: it stands for "another emlab process on this host".
  a.acquireLease('r', process.ppid, 'this-host', t0);
  const b = Store.open(path);
  assert.throws(() => b.acquireLease('r', process.pid, 'other-host', t0 + 1000), RunLockedError);
  assert.throws(() => b.acquireLease('r', process.pid, 'other-host', t0 + 1000), /another emlab process.*--out/);
  // Not renewed for longer than the stale limit: free.
  b.acquireLease('r', process.pid, 'other-host', t0 + LEASE_STALE_MS + 1);
  // A holder whose pid is dead on this host is free at once.
  const later = t0 + 3 * LEASE_STALE_MS;
  const deadPid = 2 ** 22 + 12345; // above Linux's pid_max: never a live process
  b.acquireLease('r', deadPid, 'this-host', later);
  b.acquireLease('r', process.pid, 'this-host', later + 1);
  assert.throws(() => a.acquireLease('r', process.ppid, 'this-host', later + 2), RunLockedError);
  // The process that lost the lease learns it at its next renewal; the holder renews fine.
  assert.equal(a.renewLease('r', deadPid, 'this-host', later + 3), false);
  assert.equal(b.renewLease('r', process.pid, 'this-host', later + 3), true);
  a.close();
  b.close();
});

test('opening a file that is not a database names the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emlab-store-'));
  const path = join(dir, 'junk.db');
  writeFileSync(path, 'this is not sqlite at all, just text that is long enough to look like a header');
  assert.throws(() => Store.open(path), (err: Error) => err.message.startsWith(path) && /not an SQLite database/.test(err.message));
});

test('writes queued in one turn are committed together: each promise resolves once its row is readable by another connection', async () => {
  const path = tempDb();
  const s = Store.open(path);
  const entry = (i: number) => ({ key: `k${i}`, model: 'm', kind: 'chat' as const, request: { i }, sampleIndex: i, response: { text: `answer ${i}` } });
  const pending = [0, 1, 2].map((i) => s.queueResponse(entry(i)));
  // Nothing is committed before the turn ends.
  const reader = Store.open(path, { readonly: true });
  assert.equal(reader.countResponses('m', 'chat'), 0);
  await Promise.all(pending);
  assert.equal(reader.countResponses('m', 'chat'), 3);
  // A write queued and not yet committed when the store closes is committed by the close.
  void s.queueResponse(entry(3));
  s.close();
  assert.deepEqual(reader.getResponse('k3'), { text: 'answer 3' });
  reader.close();
});
