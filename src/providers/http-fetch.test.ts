import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failedOnReusedConnection, httpRequest } from './http-fetch.js';
import { startDroppingServer } from '../../test/support/dropping-server.js';

const post = (baseURL: string) => httpRequest(new URL(`${baseURL}/chat/completions`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

test('a kept-alive connection dropped as it is reused fails marked as such, and is not sent again here', async (t) => {
  const server = await startDroppingServer();
  t.after(() => server.close());
  assert.equal((await post(server.baseURL)).status, 200);
  const err = await post(server.baseURL).then(
    () => assert.fail('expected the reused connection to be dropped'),
    (e: unknown) => e as NodeJS.ErrnoException,
  );
  assert.equal(err.code, 'ECONNRESET');
  assert.equal(failedOnReusedConnection(err), true);
  assert.equal(failedOnReusedConnection(new Error('wrapped', { cause: err })), true);
  assert.equal(server.seen(), 2, 'the transport itself sends nothing again: the scheduler retries');
});

test('a reset on a new connection is not marked', async (t) => {
  const server = await startDroppingServer({ resetFresh: true });
  t.after(() => server.close());
  const err = await post(server.baseURL).then(
    () => assert.fail('expected a reset'),
    (e: unknown) => e,
  );
  assert.equal(failedOnReusedConnection(err), false);
});
