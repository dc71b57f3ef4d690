/**
 * Turns the errors of the Stainless-generated SDKs (openai, @anthropic-ai/sdk) into classified
 * `ProviderError`s with short one-line messages. Both SDKs have the same error classes, so each
 * provider passes its own set. Messages never carry the API key: servers sometimes echo the key
 * they were sent, so every message is redacted, and the SDK error is not kept as `cause` (it
 * holds the unredacted text).
 */
import { ProviderError, parseRetryAfter } from './errors.js';
import { redact } from './redact.js';
import { failedOnReusedConnection } from './http-fetch.js';

type ErrorClass = abstract new (...args: never[]) => Error;

/** The SDK's error classes (`OpenAI.APIError`, `Anthropic.APIError`, ...). */
export interface SdkErrorClasses {
  APIError: ErrorClass;
  APIUserAbortError: ErrorClass;
  APIConnectionError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
}

export interface ErrorContext {
  /** The model id as the user typed it, e.g. `openai:gpt-4.1-mini`. */
  providerId: string;
  /** The model name sent to the server. */
  model: string;
  /** Where requests go (shown in network and not-found errors). */
  baseURL: string;
  /** The environment variable that holds the key (named in auth errors). */
  keyVariable: string;
  /** The key in use, to be redacted from every message. */
  secret: string | undefined;
}

const MAX_DETAIL = 200;

/**
 * Cuts a server's error text to one short line; HTML pages become their title. The key is taken
 * out before the cut: cut first, a key straddling the cut would survive as a prefix.
 */
export function summarizeDetail(raw: string, secret: string | undefined): string {
  let text = redact(raw, secret);
  if (/<!doctype html|<html[\s>]/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    const heading = /<h1[^>]*>([^<]*)<\/h1>/i.exec(text)?.[1]?.trim();
    text = `HTML error page${title || heading ? `: "${title || heading}"` : ''}`;
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** The server's own words: `{error:{message}}` (OpenAI), `{type:'error',error:{message}}` (Anthropic), or raw text. */
function serverDetail(err: Error & { error?: unknown }): string {
  const body = err.error;
  const direct = field(body, 'message');
  const nested = field(field(body, 'error'), 'message');
  if (typeof direct === 'string' && direct !== '') return direct;
  if (typeof nested === 'string' && nested !== '') return nested;
  return err.message.replace(/^\d{3}\s+/, '');
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** The innermost cause's `code` or message, e.g. `ECONNREFUSED` or `other side closed`. */
function rootCause(err: unknown): { code?: string; message: string } {
  let current: unknown = err;
  for (let depth = 0; depth < 5; depth++) {
    const next = field(current, 'cause');
    if (next === undefined || next === null) break;
    current = next;
  }
  const code = field(current, 'code');
  const message = field(current, 'message');
  return { ...(typeof code === 'string' ? { code } : {}), message: typeof message === 'string' ? message : String(current) };
}

function hasNetworkCode(err: unknown): boolean {
  for (let current = err, depth = 0; current !== undefined && current !== null && depth < 5; current = field(current, 'cause'), depth++) {
    const code = field(current, 'code');
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  }
  return false;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function networkError(id: string, baseURL: string, err: unknown, secret: string | undefined): ProviderError {
  const { code, message } = rootCause(err);
  const why = code === undefined || message.includes(code) ? message : `${code}: ${message}`;
  const hint = code !== undefined && UNREACHABLE_CODES.has(code) ? '; check the URL and that the server is running' : '';
  return new ProviderError('network', redact(`${id}: connection to ${baseURL} failed (${summarizeDetail(why, secret)})${hint}`, secret), { reusedConnection: failedOnReusedConnection(err) });
}

/**
 * The error for a reply with a non-2xx status; `detail` is the server's words, already summarised
 * (summarizeDetail).
 */
export function statusError(status: number, headers: { get(name: string): string | null } | undefined, detail: string, ctx: ErrorContext): ProviderError {
  const id = ctx.providerId;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers);
    return new ProviderError('rate_limit', `${id}: rate limited (429: ${detail})`, { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  if (status === 401 || status === 403) {
    return new ProviderError('auth', `${id}: the server refused the credentials (${status}: ${detail}); check ${ctx.keyVariable}`, { status });
  }
  if (status === 404) {
    return new ProviderError('not_found', `${id}: model "${ctx.model}" is unknown to ${ctx.baseURL} (404: ${detail}); check the model name`, { status });
  }
  if (status >= 500) {
    // Some servers (and Anthropic's 529) say when to come back on 5xx too.
    const retryAfterMs = parseRetryAfter(headers);
    return new ProviderError('server', `${id}: server error ${status} (${detail})`, { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  return new ProviderError('client', `${id}: the server rejected the request (${status}: ${detail})`, { status });
}

/**
 * The server's words in the body of an error reply, read as the OpenAI SDK reads them (so that a
 * request sent without the SDK fails with the same message): `{error:{message}}`, then
 * `{error:{error:{message}}}`, then the error object as JSON, then a body that is not JSON as it is.
 */
export function errorBodyDetail(text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const error = field(json, 'error');
  const message = field(error, 'message');
  const nested = field(field(error, 'error'), 'message');
  if (typeof message === 'string' && message !== '') return message;
  if (typeof nested === 'string' && nested !== '') return nested;
  const said = message ? JSON.stringify(message) : error ? JSON.stringify(error) : json ? undefined : text;
  return said ? said : 'status code (no body)';
}

/** A request that failed below HTTP (refused, reset, cut off): a network error naming the server. */
export function connectionError(err: unknown, ctx: ErrorContext): ProviderError {
  return networkError(ctx.providerId, ctx.baseURL, err, ctx.secret);
}

export function toProviderError(err: unknown, ctx: ErrorContext, sdk: SdkErrorClasses): ProviderError {
  if (err instanceof ProviderError) return err;
  const id = ctx.providerId;
  const clean = (text: string): string => redact(text, ctx.secret);

  if (err instanceof sdk.APIUserAbortError) return new ProviderError('timeout', `${id}: the request was aborted before a reply came`);
  if (err instanceof sdk.APIConnectionTimeoutError) return new ProviderError('timeout', `${id}: no reply from ${ctx.baseURL} in time`);
  if (err instanceof sdk.APIConnectionError) return networkError(id, ctx.baseURL, err, ctx.secret);
  if (err instanceof sdk.APIError) {
    const status = (err as Error & { status?: unknown }).status;
    const headers = (err as Error & { headers?: unknown }).headers;
    const detail = summarizeDetail(serverDetail(err), ctx.secret);
    if (typeof status !== 'number') return new ProviderError('network', clean(`${id}: ${detail}`));
    return statusError(status, headers instanceof Headers ? headers : undefined, detail, ctx);
  }
  if (err instanceof Error && err.name === 'AbortError') return new ProviderError('timeout', `${id}: the request was aborted before a reply came`);
  // A reply body that is not JSON (cut short, or garbage) surfaces from the SDK's response.json().
  if (err instanceof SyntaxError) return new ProviderError('bad_response', clean(`${id}: the reply is not valid JSON (${summarizeDetail(err.message, ctx.secret)})`));
  // The connection dropped while the body was being read (undici: "terminated").
  if (hasNetworkCode(err) || (err instanceof TypeError && /terminated|socket|fetch failed/i.test(err.message))) return networkError(id, ctx.baseURL, err, ctx.secret);
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError('client', clean(`${id}: unexpected error from the SDK: ${summarizeDetail(message, ctx.secret)}`));
}
