/**
 * emlab's HTTP transport for JSON requests: node:http(s) with a keep-alive agent per origin, the
 * reply buffered whole. `httpRequest` is what the chat path calls directly (src/providers/chat-http.ts);
 * `httpFetch` wraps it as the `fetch` the OpenAI SDK is given for everything else (files, batches).
 * Node's global fetch (undici's web streams) cost ~1 ms of CPU per request in `npm run bench --
 * throughput` against ~0.3 ms for node:http on the same requests (bench/throughput.bench.ts), and
 * at 256 requests in flight that CPU, not the server, set the pace. Bodies that are not text or
 * bytes (multipart uploads of fine-tuning and batch files) go to the global fetch, as does
 * everything when EMLAB_HTTP_CLIENT=fetch (for comparison, or behind a proxy that only the global
 * fetch handles).
 */
import http from 'node:http';
import https from 'node:https';

const agents = new Map<string, http.Agent>();

function agentFor(url: URL): http.Agent {
  const key = url.origin;
  let agent = agents.get(key);
  if (!agent) {
    const Agent = url.protocol === 'https:' ? https.Agent : http.Agent;
    // Sockets are kept for reuse a little under the 5 s most servers keep an idle one open, so
    // emlab does not send on a socket the server is closing.
    agent = new Agent({ keepAlive: true, keepAliveMsecs: 1_000, maxSockets: Infinity, maxFreeSockets: 1024, timeout: 4_000 });
    agents.set(key, agent);
  }
  return agent;
}

function abortError(): Error {
  return new DOMException('This operation was aborted', 'AbortError');
}

/** True when requests go through Node's global fetch instead (EMLAB_HTTP_CLIENT=fetch). */
export function useGlobalFetch(): boolean {
  return process.env['EMLAB_HTTP_CLIENT'] === 'fetch';
}

export interface RawRequest {
  method: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** No reply in this long: the request is destroyed and fails with a TimeoutError. */
  timeoutMs?: number;
}

function timeoutError(): Error {
  return new DOMException('no reply in time', 'TimeoutError');
}

/** A reply read whole: status, headers as sent (name, value, name, value, ...), body bytes. */
export interface RawReply {
  status: number;
  statusText: string;
  rawHeaders: string[];
  body: Buffer<ArrayBuffer>;
}

/** Errors of a kept-alive socket that the server closed just as it was reused. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * Whether `err` (or an error it was caused by) is the failure of a kept-alive connection that was
 * reused and dropped before any reply: a server closing idle sockets (its idle timeout met ours
 * under load), or one that reset the request; either way no sign that the server is down.
 */
export function failedOnReusedConnection(err: unknown): boolean {
  for (let current = err, depth = 0; typeof current === 'object' && current !== null && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    if ((current as { reusedConnection?: unknown }).reusedConnection === true) return true;
  }
  return false;
}

/**
 * One request over node:http(s), the reply buffered. Rejects with the socket's error (ECONNRESET,
 * ECONNREFUSED, ...; marked for failedOnReusedConnection where that applies), an AbortError
 * when `signal` aborts first, or a TimeoutError after `timeoutMs`.
 */
export function httpRequest(url: URL, init: RawRequest): Promise<RawReply> {
  const { body, signal } = init;
  const headers = body === undefined ? init.headers : { ...init.headers, 'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength) };
  return new Promise<RawReply>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    let replied = false;
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: init.method, headers, agent: agentFor(url) }, (res) => {
      replied = true;
      const chunks: Buffer<ArrayBuffer>[] = [];
      res.on('data', (c: Buffer<ArrayBuffer>) => chunks.push(c));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (!res.complete) return fail(Object.assign(new Error('the connection closed before the reply was complete'), { code: 'ECONNRESET' }));
        resolve({ status: res.statusCode ?? 502, statusText: res.statusMessage ?? '', rawHeaders: res.rawHeaders, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
      });
    });
    let timedOut = false;
    const timer = init.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      request.destroy();
      fail(timeoutError());
    }, init.timeoutMs);
    function fail(err: unknown): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    }
    function onAbort(): void {
      request.destroy();
      fail(abortError());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (err: NodeJS.ErrnoException) => {
      if (signal?.aborted) return fail(abortError());
      if (timedOut) return fail(timeoutError());
      // Retried by the scheduler like any network error, but not counted as a sign that the
      // server is down: at 256 in flight a dozen of these in a row stopped runs (issue 15).
      if (request.reusedSocket && !replied && STALE_SOCKET_CODES.has(err.code ?? '')) Object.assign(err, { reusedConnection: true });
      fail(err);
    });
    request.end(body);
  });
}

/** A fetch for text or byte bodies over node:http(s); anything else goes to the global fetch. */
export const httpFetch: typeof fetch = async (input, init = {}) => {
  const body = init.body;
  if (useGlobalFetch() || (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array))) return fetch(input, init);
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  const method = init.method ?? 'GET';
  const reply = await httpRequest(url, { method, headers, ...(body !== undefined && body !== null ? { body } : {}), ...(init.signal ? { signal: init.signal } : {}) });
  const replyHeaders = new Headers();
  for (let i = 0; i < reply.rawHeaders.length; i += 2) replyHeaders.append(reply.rawHeaders[i]!, reply.rawHeaders[i + 1]!);
  // A Response may not carry a body with these statuses.
  const empty = reply.status === 204 || reply.status === 205 || reply.status === 304 || method === 'HEAD';
  return new Response(empty ? null : reply.body, { status: reply.status, statusText: reply.statusText, headers: replyHeaders });
};
