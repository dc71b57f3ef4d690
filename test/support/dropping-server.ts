/**
 * A chat completions server that drops a kept-alive connection when a second request arrives on
 * it, without a reply: what a client sees when a server's idle timeout closes connections just as
 * they are reused. `resetFresh` drops the first request of a connection too.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DroppingServer {
  baseURL: string;
  /** Requests that arrived, dropped ones included. */
  seen: () => number;
  close: () => Promise<void>;
}

export async function startDroppingServer(options: { resetFresh?: boolean } = {}): Promise<DroppingServer> {
  let seen = 0;
  const perSocket = new WeakMap<object, number>();
  const server = http.createServer((req, res) => {
    seen++;
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (n > 1 || options.resetFresh) {
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    seen: () => seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
