import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest } from './http-fetch.js';

/**
 * A server that drops a kept-alive connection when a second request arrives on it, without a
 * reply: what a client sees when the server's idle timeout closes a socket just as it is reused.
 * `resetFresh` drops the first request of a connection too.
 */
async function droppingServer(resetFresh = false): Promise<{ url: URL; seen: () => number; close: () => Promise<void> }> {
  let seen = 0;
  const perSocket = new WeakMap<object, number>();
  const server = http.createServer((req, res) => {
    seen++;
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (n > 1 || resetFresh) {
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => res.end('{"ok":true}'));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/v1/chat/completions`),
    seen: () => seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const post = (url: URL) => httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

test('a kept-alive socket dropped as it is reused is sent once more on a new connection, so the request succeeds', async (t) => {
  const server = await droppingServer();
  t.after(() => server.close());
  for (let i = 0; i < 5; i++) {
    const reply = await post(server.url);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.toString(), '{"ok":true}');
  }
  // The first request opened a connection; each later one met a dropped socket, then a new one.
  assert.equal(server.seen(), 1 + 4 * 2);
});

test('a reset on a new connection is not sent again: the caller sees it', async (t) => {
  const server = await droppingServer(true);
  t.after(() => server.close());
  await assert.rejects(post(server.url), (err: NodeJS.ErrnoException) => err.code === 'ECONNRESET');
  assert.equal(server.seen(), 1);
});
