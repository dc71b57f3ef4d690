/**
 * The `fetch` the OpenAI SDK is given for JSON requests: node:http(s) with a keep-alive agent per
 * origin, the reply buffered and handed back as a Response. Node's global fetch (undici's web
 * streams) cost ~1 ms of CPU per request in `npm run bench -- throughput` against ~0.3 ms for
 * node:http on the same requests (bench/throughput.bench.ts), and at 256 requests in flight that
 * CPU, not the server, set the pace. Bodies that are not text or bytes (multipart uploads of
 * fine-tuning and batch files) go to the global fetch, as does everything when
 * EMLAB_HTTP_CLIENT=fetch (for comparison, or behind a proxy that only the global fetch handles).
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

/** A fetch for text or byte bodies over node:http(s); anything else goes to the global fetch. */
export const httpFetch: typeof fetch = (input, init = {}) => {
  const body = init.body;
  if (process.env['EMLAB_HTTP_CLIENT'] === 'fetch' || (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array))) return fetch(input, init);
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  if (body !== undefined && body !== null) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  const signal = init.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: init.method ?? 'GET', headers, agent: agentFor(url) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        if (!res.complete) return fail(Object.assign(new Error('the connection closed before the reply was complete'), { code: 'ECONNRESET' }));
        const replyHeaders = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) replyHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const status = res.statusCode ?? 502;
        // A Response may not carry a body with these statuses.
        const empty = status === 204 || status === 205 || status === 304 || init.method === 'HEAD';
        resolve(new Response(empty ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: replyHeaders }));
      });
    });
    function fail(err: unknown): void {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    }
    function onAbort(): void {
      request.destroy();
      reject(abortError());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (err) => fail(signal?.aborted ? abortError() : err));
    request.end(body ?? undefined);
  });
};
