/**
 * One origin in front of two fakes, as a real provider is: chat and model listing go to the fake
 * OpenAI chat server, everything else (files, fine-tuning jobs) to the fake fine-tuning server.
 * A `compat:` model fine-tuned there is then answered at the same base URL. Also serves static
 * files under /files/ (public datasets fetched by URL), counting each request.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CombinedServer {
  /** `http://127.0.0.1:<port>/v1` */
  readonly baseURL: string;
  /** `http://127.0.0.1:<port>/files/<name>` serves `files[name]`. */
  fileURL(name: string): string;
  /** Requests for static files, by name. */
  readonly fileRequests: string[];
  close(): Promise<void>;
}

export async function startCombinedServer(opts: { chatOrigin: string; finetuneOrigin: string; files?: Record<string, string | (() => { status: number; body: string })> }): Promise<CombinedServer> {
  const fileRequests: string[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path.startsWith('/files/')) {
      const name = decodeURIComponent(path.slice('/files/'.length));
      fileRequests.push(name);
      const entry = opts.files?.[name];
      const reply = entry === undefined ? { status: 404, body: 'not found' } : typeof entry === 'string' ? { status: 200, body: entry } : entry();
      res.writeHead(reply.status, { 'content-type': 'application/octet-stream' });
      res.end(reply.body);
      return;
    }
    const origin = path === '/v1/chat/completions' || path === '/v1/models' ? opts.chatOrigin : opts.finetuneOrigin;
    const target = new URL(req.url ?? '/', origin);
    const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    fileURL: (name) => `http://127.0.0.1:${port}/files/${encodeURIComponent(name)}`,
    fileRequests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
