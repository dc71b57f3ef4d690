/**
 * One Chat Completions request without the SDK: the JSON body POSTed over emlab's node:http
 * transport (src/providers/http-fetch.ts) with its own timeout, the reply read whole, redacted, parsed.
 * The OpenAI SDK spent ~0.15 ms of CPU per request building headers, logging, wrapping the reply
 * in a web Response and reading it back (`node --cpu-prof` on `npm run bench -- throughput`);
 * at 256 requests in flight that CPU is the pace. Failures become the same ProviderErrors, with
 * the same messages, as the SDK's errors did (http-errors.ts).
 */
import { ProviderError } from './errors.js';
import { connectionError, errorBodyDetail, statusError, summarizeDetail, type ErrorContext } from './http-errors.js';
import { httpRequest, useGlobalFetch, type RawReply } from './http-fetch.js';
import { holdsSecret, redact, redactDeep } from './redact.js';

export interface ChatEndpoint extends ErrorContext {
  /** The key, sent as a bearer token (a placeholder for servers that need none). */
  secret: string;
  /** Sent with every request (OpenAI-Organization, OpenAI-Project), lower-case names. */
  extraHeaders: Record<string, string>;
  timeoutMs: number;
}

/** Headers of a reply, looked up case-blind, for Retry-After. */
function headerGetter(rawHeaders: string[]): { get(name: string): string | null } {
  return {
    get(name) {
      for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === name) return rawHeaders[i + 1]!;
      return null;
    },
  };
}

async function viaGlobalFetch(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal | undefined, timeoutMs: number): Promise<RawReply> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const res = await fetch(url, { method: 'POST', headers, body, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  const rawHeaders: string[] = [];
  res.headers.forEach((value, name) => rawHeaders.push(name, value));
  return { status: res.status, statusText: res.statusText, rawHeaders, body: Buffer.from(await res.arrayBuffer()) };
}

/**
 * A JSON text from a server as a value with the key taken out of every string. When the text holds
 * no escape and no piece of the key, no string parsed from it can hold one either (every string is
 * then a plain slice of the text), so one scan of the text replaces a walk over every value.
 */
function parseRedacted(text: string, secret: string): unknown {
  const value: unknown = JSON.parse(text);
  if (!text.includes('\\') && !holdsSecret(text, secret)) return value;
  return redactDeep(value, secret);
}

/** POSTs `body` to `{baseURL}/chat/completions`; the reply's JSON, redacted, or a ProviderError. */
export async function postChatCompletion(endpoint: ChatEndpoint, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
  const id = endpoint.providerId;
  if (signal?.aborted) throw new ProviderError('timeout', `${id}: the request was aborted before a reply came`);
  const url = new URL(`${endpoint.baseURL}/chat/completions`);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    authorization: `Bearer ${endpoint.secret}`,
    ...endpoint.extraHeaders,
  };
  let reply: RawReply;
  try {
    const text = JSON.stringify(body);
    reply = useGlobalFetch()
      ? await viaGlobalFetch(url, headers, text, signal, endpoint.timeoutMs)
      : await httpRequest(url, { method: 'POST', headers, body: text, timeoutMs: endpoint.timeoutMs, ...(signal ? { signal } : {}) });
  } catch (err) {
    if (err instanceof Error && err.name === 'TimeoutError') throw new ProviderError('timeout', `${id}: no reply from ${endpoint.baseURL} in time`);
    if (signal?.aborted || (err instanceof Error && err.name === 'AbortError')) throw new ProviderError('timeout', `${id}: the request was aborted before a reply came`);
    throw connectionError(err, endpoint);
  }
  const text = reply.body.toString('utf8');
  if (reply.status < 200 || reply.status >= 300) {
    throw statusError(reply.status, headerGetter(reply.rawHeaders), summarizeDetail(errorBodyDetail(text), endpoint.secret), endpoint);
  }
  try {
    // Servers echo the key (in `model`, in the text): nothing of it may reach the cache or the report.
    return parseRedacted(text, endpoint.secret);
  } catch (err) {
    throw new ProviderError('bad_response', redact(`${id}: the reply is not valid JSON (${summarizeDetail((err as Error).message, endpoint.secret)})`, endpoint.secret));
  }
}
