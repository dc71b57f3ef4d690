/**
 * Classified provider failures. The scheduler decides from `retryable` and `retryAfterMs` alone,
 * so every provider maps its SDK's errors onto these kinds.
 */
export type ProviderErrorKind =
  | 'rate_limit' // 429: retry after backoff / Retry-After, and lower concurrency
  | 'server' // 5xx: retry
  | 'timeout' // no reply in time: retry
  | 'network' // connection reset/refused: retry
  | 'bad_response' // reply that cannot be parsed or has no content: retry
  | 'auth' // 401/403: never retry, stop the run
  | 'not_found' // unknown model (404): never retry, stop the run
  | 'unreachable' // connection refused again and again: the server is down, stop the run
  | 'client' // other 4xx: never retry
  | 'missing_dependency'; // optional backend not installed

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  /**
   * A network error on a kept-alive connection that was reused and dropped before any reply: not
   * counted by the scheduler as a sign that the server is down (servers close idle connections).
   */
  readonly reusedConnection: boolean;

  constructor(kind: ProviderErrorKind, message: string, opts: { status?: number; retryAfterMs?: number; cause?: unknown; reusedConnection?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ProviderError';
    this.kind = kind;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.reusedConnection = opts.reusedConnection ?? false;
  }

  get retryable(): boolean {
    return ['rate_limit', 'server', 'timeout', 'network', 'bad_response'].includes(this.kind);
  }

  /** Errors that make every further request of this model fail the same way. */
  get fatal(): boolean {
    return ['auth', 'not_found', 'missing_dependency', 'unreachable'].includes(this.kind);
  }
}

/** Parses Retry-After (seconds or HTTP date) and retry-after-ms headers into milliseconds. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers.get('retry-after');
  if (ra === null || ra.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Math.max(0, Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
