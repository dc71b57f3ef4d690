/**
 * The viewer's HTTP server: on 127.0.0.1 only, GET and HEAD only, answering its JSON API and its own
 * prebuilt pages. The pages are read into memory when the server starts and looked up by exact
 * path, so no request path ever reaches the file system: `../`, `%2e%2e`, absolute paths and
 * symbolic links have nothing to resolve against. Every response carries a Content-Security-Policy
 * that allows the page's own script and nothing from elsewhere; a request whose Host is not this
 * server's loopback address is refused (a web page elsewhere cannot read the results through DNS
 * rebinding).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handleApi, type ApiContext } from './api.js';
import { RunReader } from './runs.js';
import type { GroundTruthLabeller } from './samples.js';
import { SourceSet } from './sources.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // Observable Plot writes a <style> element into each chart; no untrusted text is ever markup.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** The pages' routes: each is answered with index.html, and the page reads its part of the URL. */
const PAGE_ROUTES = new Set(['/', '/run', '/samples', '/compare']);

/** Where `npm run build` puts the pages (dist/web/app), from src/web or dist/web alike. */
export const DEFAULT_APP_DIR = fileURLToPath(new URL('../../dist/web/app/', import.meta.url));

interface Asset {
  body: Buffer;
  type: string;
}

/** Every plain file under `dir` by its URL path. Links and anything else that is not a plain file are left out. */
export function loadAssets(dir: string): Map<string, Asset> {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) throw new Error(`${index}: the viewer's pages are missing; run npm run build`);
  const out = new Map<string, Asset>();
  const walk = (sub: string, prefix: string): void => {
    for (const name of readdirSync(sub)) {
      const path = join(sub, name);
      const st = lstatSync(path);
      if (st.isDirectory()) walk(path, `${prefix}${name}/`);
      else if (st.isFile() && TYPES[extname(name)] !== undefined) out.set(`${prefix}${name}`, { body: readFileSync(path), type: TYPES[extname(name)]! });
    }
  };
  walk(dir, '/');
  return out;
}

export interface ViewerOptions {
  /** Databases and results directories to read. */
  paths: string[];
  /** 0 for any free port. */
  port: number;
  appDir?: string;
  labeller?: GroundTruthLabeller | null;
}

export interface Viewer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startViewer(opts: ViewerOptions): Promise<Viewer> {
  const assets = loadAssets(opts.appDir ?? DEFAULT_APP_DIR);
  const sources = new SourceSet(opts.paths);
  sources.checkArguments(opts.paths);
  const ctx: ApiContext = { sources, reader: new RunReader(sources), labeller: opts.labeller ?? null };
  let port = opts.port;
  const server = createServer((req, res) => {
    try {
      respond(req, res, ctx, assets, port);
    } catch (err) {
      // One line, no stack: the message names what failed (a database file, a run).
      send(res, 500, 'application/json; charset=utf-8', JSON.stringify({ error: (err as Error).message.split('\n')[0] }));
    }
  });
  port = await listen(server, opts.port);
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          sources.close();
          resolve();
        });
      }),
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} on 127.0.0.1 is in use; pick another with --port, or --port 0 for any free one`) : err);
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, head = false, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(head ? undefined : body);
}

function respond(req: IncomingMessage, res: ServerResponse, ctx: ApiContext, assets: Map<string, Asset>, port: number): void {
  const json = (status: number, body: unknown): void => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), req.method === 'HEAD');
  const host = req.headers.host ?? '';
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    json(421, { error: `Host "${host.slice(0, 100)}" is not this viewer; open http://127.0.0.1:${port}/` });
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'application/json; charset=utf-8', JSON.stringify({ error: 'the viewer is read-only: only GET and HEAD' }), false, { allow: 'GET, HEAD' });
    return;
  }
  let url: URL;
  try {
    url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  } catch {
    json(400, { error: 'malformed request path' });
    return;
  }
  const api = handleApi(ctx, url.pathname, url.searchParams);
  if (api !== null) {
    json(api.status, api.body);
    return;
  }
  const page = PAGE_ROUTES.has(url.pathname) ? assets.get('/index.html') : undefined;
  const asset = page ?? (url.pathname === '/index.html' ? undefined : assets.get(url.pathname));
  if (asset === undefined) {
    json(404, { error: 'not found' });
    return;
  }
  // Built assets carry a content hash in their names and may be cached; the page itself may not.
  const cache: Record<string, string> = page === undefined && url.pathname.startsWith('/assets/') ? { 'cache-control': 'public, max-age=31536000, immutable' } : {};
  send(res, 200, asset.type, asset.body, req.method === 'HEAD', cache);
}
