/**
 * The HTTP plumbing shared by the fake OpenAI and Anthropic servers: a real node:http server on
 * 127.0.0.1 (port 0), a log of every request, in-flight counting, latency, and the transport-level
 * faults (reset, hang, truncated body, HTML error page) that real providers and proxies produce.
 * Each protocol file turns its own reply/fault descriptions into an `HttpOutcome`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Parsed JSON body (undefined for bodiless requests). */
  body: unknown;
  /** Request headers, except that credentials are left out: see `hadAuth`. */
  headers: Record<string, string>;
  /** Whether an `Authorization` or `x-api-key` header came (its value is never kept). */
  hadAuth: boolean;
}

/** What the server does with one request, after an optional delay. */
export type HttpOutcome =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'text'; status: number; contentType: string; text: string; headers?: Record<string, string> }
  /** Destroy the connection without answering (the client sees a reset / socket hang up). */
  | { kind: 'reset' }
  /** Never answer; the connection stays open until the client gives up or the server closes. */
  | { kind: 'hang' };

export interface HandlerContext {
  /** 0-based index of this request among all requests the server received. */
  index: number;
  /** The raw credential (Authorization bearer token or x-api-key), for auth checks only. */
  credential: string | undefined;
}

export type Handler = (request: LoggedRequest, ctx: HandlerContext) => Promise<{ outcome: HttpOutcome; delayMs?: number }>;

export interface FakeHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: LoggedRequest[];
  /** Requests being handled right now, and the most there ever were at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  close(): Promise<void>;
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'x-api-key']);

function credentialOf(req: IncomingMessage): string | undefined {
  const auth = req.headers['authorization'];
  if (typeof auth === 'string' && auth !== '') return auth.replace(/^Bearer\s+/i, '');
  const key = req.headers['x-api-key'];
  return typeof key === 'string' && key !== '' ? key : undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, outcome: HttpOutcome): void {
  if (outcome.kind === 'reset') {
    res.socket?.destroy();
    return;
  }
  if (outcome.kind === 'hang') return;
  const text = outcome.kind === 'json' ? JSON.stringify(outcome.body) : outcome.text;
  const contentType = outcome.kind === 'json' ? 'application/json' : outcome.contentType;
  res.writeHead(outcome.status, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(text)),
    ...outcome.headers,
  });
  res.end(text);
}

/** Resolves after `ms`, or early when the client goes away (so a slow reply to an aborted request ends). */
function delay(ms: number, res: ServerResponse): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once('close', done);
    function done(): void {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}

/** `port` 0 (the default) picks a free port; a fixed one lets model ids (which contain the URL) stay the same across runs. */
export async function startFakeHttpServer(handler: Handler, listenPort = 0, options: { keepAliveTimeoutMs?: number } = {}): Promise<FakeHttpServer> {
  const requests: LoggedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const release = (): void => {
      if (counted) inFlight -= 1;
      counted = false;
    };
    res.once('close', release);
    void handle(req, res).catch((err: unknown) => {
      // A bug in a test's respond function: answer 500 with its message rather than hanging the test.
      if (!res.headersSent && !res.destroyed) {
        send(res, { kind: 'json', status: 500, body: { error: { message: `fake server: ${String(err)}`, type: 'server_error' } } });
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (CREDENTIAL_HEADERS.has(name) || value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const credential = credentialOf(req);
    let body: unknown;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const logged: LoggedRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      body,
      headers,
      hadAuth: credential !== undefined,
    };
    const index = requests.length;
    requests.push(logged);
    const { outcome, delayMs = 0 } = await handler(logged, { index, credential });
    await delay(delayMs, res);
    if (res.destroyed || res.writableEnded) return;
    send(res, outcome);
  }

  // Node closes an idle kept-alive connection after 5 s unless told; a client may send on it just then.
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A long HTML error page like the ones load balancers and proxies return. */
export function htmlErrorPage(status: number): string {
  const title = `${status} ${status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : 'Error'}`;
  const filler = '<p>The upstream server did not answer in time. Please try again later.</p>\n'.repeat(40);
  return `<!DOCTYPE html>\n<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n${filler}<hr><center>nginx</center>\n</body>\n</html>\n`;
}

/** Headers of a 429 reply: `retry-after` in seconds and/or `retry-after-ms`. */
export function retryAfterHeaders(opts: { retryAfterSeconds?: number; retryAfterMs?: number }): Record<string, string> {
  const headers: Record<string, string> = {};
  if (opts.retryAfterSeconds !== undefined) headers['retry-after'] = String(opts.retryAfterSeconds);
  if (opts.retryAfterMs !== undefined) headers['retry-after-ms'] = String(opts.retryAfterMs);
  return headers;
}

/**
 * Replies in order: request i gets item i, and every later request the last item. Items are
 * replies or respond functions (called with the request as usual).
 */
export function inOrder<Reply extends object, Args extends unknown[]>(items: Array<Reply | ((...args: Args) => Reply | Promise<Reply>)>): (...args: Args) => Reply | Promise<Reply> {
  if (items.length === 0) throw new Error('inOrder needs at least one reply');
  let next = 0;
  return (...args) => {
    const item = items[Math.min(next, items.length - 1)]!;
    next += 1;
    return typeof item === 'function' ? item(...args) : item;
  };
}
