/**
 * The one layer that owns retries, rate limits and timeouts for a provider (SDK retries are off).
 * `Scheduler` wraps a ModelProvider into one with the same interface that:
 *  - runs at most `limit` requests at once; the limit starts at `concurrency`, halves on a 429
 *    (once per wave: 429s of requests sent before the last cut do not cut again), down to 1, and
 *    grows back by 1 after `successesToGrow` successes in a row, up to `concurrency`. Every change
 *    is kept in `limitHistory` with its time, so a run can report it;
 *  - retries retryable ProviderErrors with exponential backoff and full jitter (base 1 s, cap 60 s,
 *    6 attempts in all by default), waiting exactly `retryAfterMs` when the server gave one, and
 *    holding every request of this provider until then;
 *  - aborts an attempt after `timeoutMs` (the provider gets an AbortSignal) and counts it a timeout;
 *  - never retries other errors; after a fatal one (auth, not_found, missing_dependency) every
 *    queued and later request fails at once with that same error instead of being sent.
 * Time is injectable (now/sleep/random) so that tests of backoff run instantly.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import PQueue from 'p-queue';
import { ProviderError } from './errors.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './openai-chat.js';
import type { CallOptions, ChatMessage, ChatRequest, ChatResponse, ModelProvider, ProviderCapabilities } from './types.js';

export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // timers/promises rejects with its own AbortError; callers expect the signal's reason.
  sleep: (ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}).catch((err: unknown) => Promise.reject(signal?.aborted ? signal.reason : err)),
  random: () => Math.random(),
};

export interface LimitChange {
  /** clock.now() when the limit changed. */
  at: number;
  limit: number;
  reason: 'start' | 'rate_limit' | 'recovered';
}

export type SchedulerEvent =
  | { type: 'retry'; providerId: string; at: number; attempt: number; delayMs: number; error: ProviderError }
  | { type: 'rate_limited'; providerId: string; at: number; retryAfterMs: number | undefined; error: ProviderError }
  | { type: 'limit_changed'; providerId: string; at: number; from: number; to: number; reason: 'rate_limit' | 'recovered' }
  | { type: 'gave_up'; providerId: string; at: number; attempts: number; error: ProviderError };

export interface SchedulerOptions {
  /** Requests in flight at once at most (and the limit to recover to). Default 4. */
  concurrency?: number;
  /** Attempts per request, the first included. Default 6. */
  maxAttempts?: number;
  /** Backoff before retry k (1-based) is random in [0, min(maxDelayMs, baseDelayMs * 2^(k-1))). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * The longest Retry-After that is waited out. A server asking for more (a gateway's "come back
   * in an hour") fails the request at once, to be retried by the next run, instead of holding
   * every request of the model silently. Default 10 minutes.
   */
  maxRetryAfterMs?: number;
  /** Connection failures in a row (no reply between them) after which the backend counts as down. Default 12. */
  unreachableAfter?: number;
  /** Per-attempt timeout. Default 120 s. */
  timeoutMs?: number;
  /** Successes in a row after which a lowered limit grows by 1. Default 5. */
  successesToGrow?: number;
  /** Called synchronously; must not throw. */
  onEvent?: (event: SchedulerEvent) => void;
  clock?: Partial<Clock>;
}

export const SCHEDULER_DEFAULTS = {
  concurrency: 4,
  maxAttempts: 6,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 600_000,
  unreachableAfter: 12,
  timeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  successesToGrow: 5,
} as const;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`scheduler option ${name} must be a whole number >= 1, got ${value}`);
  return value;
}

/**
 * One 'abort' listener per caller signal, however many requests share it. A run hands the same
 * signal to every request, and with a listener each (plus the queue's two) every add and remove
 * walked hundreds of them: EventTarget checks each new listener against all the others.
 */
const abortWatchers = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();

/** Calls `onAbort` when `signal` aborts (at once if it has); returns the function that stops watching. */
function watchAbort(signal: AbortSignal, onAbort: (reason: unknown) => void): () => void {
  if (signal.aborted) {
    onAbort(signal.reason);
    return () => undefined;
  }
  let watchers = abortWatchers.get(signal);
  if (!watchers) {
    const set = new Set<(reason: unknown) => void>();
    watchers = set;
    abortWatchers.set(signal, set);
    signal.addEventListener('abort', () => {
      for (const watcher of [...set]) watcher(signal.reason);
      set.clear();
    }, { once: true });
  }
  const own = watchers;
  own.add(onAbort);
  return () => own.delete(onAbort);
}

/** `promise`, or the signal's reason as soon as it aborts. */
function untilAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = watchAbort(signal, reject);
    promise.then(
      (value) => {
        stop();
        resolve(value);
      },
      (err: unknown) => {
        stop();
        reject(err);
      },
    );
  });
}

export class Scheduler implements ModelProvider {
  readonly id: string;
  readonly version?: string;
  readonly capabilities: ProviderCapabilities;
  readonly scoreReplies?: (messages: ChatMessage[], candidates: string[], options?: CallOptions) => Promise<number[]>;

  private readonly inner: ModelProvider;
  private readonly queue: PQueue;
  private readonly clock: Clock;
  private readonly startLimit: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly successesToGrow: number;
  private readonly onEvent: ((event: SchedulerEvent) => void) | undefined;

  private currentLimit: number;
  /** Bumped at every cut, so a 429 of a request sent before the cut does not cut again. */
  private limitEpoch = 0;
  private successesInARow = 0;
  private networkFailuresInARow = 0;
  private readonly unreachableAfter: number;
  private holdUntil = 0;
  private fatalError: ProviderError | undefined;
  private closedError: ProviderError | undefined;
  private readonly history: LimitChange[];

  constructor(inner: ModelProvider, options: SchedulerOptions = {}) {
    this.inner = inner;
    this.id = inner.id;
    if (inner.version !== undefined) this.version = inner.version;
    this.capabilities = inner.capabilities;
    this.clock = { ...systemClock, ...options.clock };
    this.startLimit = positiveInteger('concurrency', options.concurrency ?? SCHEDULER_DEFAULTS.concurrency);
    this.maxAttempts = positiveInteger('maxAttempts', options.maxAttempts ?? SCHEDULER_DEFAULTS.maxAttempts);
    this.timeoutMs = positiveInteger('timeoutMs', options.timeoutMs ?? SCHEDULER_DEFAULTS.timeoutMs);
    this.successesToGrow = positiveInteger('successesToGrow', options.successesToGrow ?? SCHEDULER_DEFAULTS.successesToGrow);
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? SCHEDULER_DEFAULTS.baseDelayMs);
    this.maxDelayMs = Math.max(0, options.maxDelayMs ?? SCHEDULER_DEFAULTS.maxDelayMs);
    this.maxRetryAfterMs = Math.max(0, options.maxRetryAfterMs ?? SCHEDULER_DEFAULTS.maxRetryAfterMs);
    this.unreachableAfter = Math.max(1, options.unreachableAfter ?? SCHEDULER_DEFAULTS.unreachableAfter);
    this.onEvent = options.onEvent;
    this.currentLimit = this.startLimit;
    this.queue = new PQueue({ concurrency: this.startLimit });
    this.history = [{ at: this.clock.now(), limit: this.startLimit, reason: 'start' }];
    const score = inner.scoreReplies?.bind(inner);
    if (score) {
      this.scoreReplies = (messages, candidates, opts = {}) => this.run((signal) => score(messages, candidates, { signal }), opts.signal);
    }
  }

  /** The concurrency limit now. */
  get limit(): number {
    return this.currentLimit;
  }

  /** Every change of the concurrency limit, the starting value first. */
  get limitHistory(): readonly LimitChange[] {
    return this.history;
  }

  chat(request: ChatRequest, options: CallOptions = {}): Promise<ChatResponse> {
    const onReply = options.onReply;
    if (!onReply) return this.run((signal) => this.inner.chat(request, { signal }), options.signal);
    return this.run(async (signal) => {
      const response = await this.inner.chat(request, { signal });
      await onReply(response);
      return response;
    }, options.signal);
  }

  checkCredentials(): void {
    this.inner.checkCredentials?.();
  }

  /** Queued requests fail at once; requests in flight finish (or time out) before the inner provider closes. */
  async close(): Promise<void> {
    this.closedError ??= new ProviderError('client', `${this.id}: the provider was closed while requests were waiting`);
    await this.queue.onIdle();
    await this.inner.close?.();
  }

  /** Runs `operation` under the limit, retrying it as the class comment says. */
  async run<T>(operation: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (this.fatalError) throw this.fatalError;
      if (this.closedError) throw this.closedError;
      signal?.throwIfAborted();
      try {
        // The queue is not given the signal (two listeners a request): a request aborted while
        // queued fails at once here, and its turn, when it comes, ends at once in attempt().
        const queued = this.queue.add(() => this.attempt(operation, signal));
        if (!signal) return await queued;
        queued.catch(() => undefined);
        return await untilAbort(queued, signal);
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (!(err instanceof ProviderError)) throw err;
        const tooLong = err.retryAfterMs !== undefined && err.retryAfterMs > this.maxRetryAfterMs;
        if (tooLong && !err.fatal) {
          const final = new ProviderError(err.kind, `${err.message} (the server asked to wait ${Math.round(err.retryAfterMs! / 1000)} s, longer than the ${Math.round(this.maxRetryAfterMs / 1000)} s emlab waits: run again later)`, { ...this.errorFields(err), cause: err });
          this.emit({ type: 'gave_up', providerId: this.id, at: this.clock.now(), attempts: attempt, error: final });
          throw final;
        }
        if (err.fatal || !err.retryable || attempt >= this.maxAttempts) {
          const final = attempt > 1 && !err.fatal ? new ProviderError(err.kind, `${err.message} (gave up after ${attempt} attempts)`, { ...this.errorFields(err), cause: err }) : err;
          this.emit({ type: 'gave_up', providerId: this.id, at: this.clock.now(), attempts: attempt, error: final });
          throw final;
        }
        const delayMs = this.retryDelay(attempt, err);
        this.emit({ type: 'retry', providerId: this.id, at: this.clock.now(), attempt, delayMs, error: err });
        await this.clock.sleep(delayMs, signal);
      }
    }
  }

  private errorFields(err: ProviderError): { status?: number; retryAfterMs?: number } {
    return { ...(err.status !== undefined ? { status: err.status } : {}), ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
  }

  /** Exactly the server's Retry-After when it gave one; else full jitter over a capped exponential. */
  private retryDelay(attempt: number, err: ProviderError): number {
    if (err.retryAfterMs !== undefined) return err.retryAfterMs;
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.clock.random() * ceiling);
  }

  private async attempt<T>(operation: (signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    // Queued behind a fatal error (or a close): fail with it instead of sending.
    if (this.fatalError) throw this.fatalError;
    if (this.closedError) throw this.closedError;
    signal?.throwIfAborted();
    const wait = this.holdUntil - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait, signal);
    if (this.fatalError) throw this.fatalError;

    const epoch = this.limitEpoch;
    // One controller per attempt carries the caller's abort and the timeout to the provider.
    const controller = new AbortController();
    let abortRace: (reason: unknown) => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      abortRace = reject;
    });
    const abort = (reason: unknown): void => {
      controller.abort(reason);
      abortRace(reason);
    };
    const timer = setTimeout(() => abort(new ProviderError('timeout', `${this.id}: no reply within ${this.timeoutMs / 1000} s`)), this.timeoutMs);
    const stopWatching = signal ? watchAbort(signal, abort) : undefined;
    try {
      const pending = operation(controller.signal);
      // A provider that ignores its signal must not keep the slot: race it against the abort.
      pending.catch(() => undefined);
      const result = await Promise.race([pending, aborted]);
      this.onSuccess();
      return result;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (controller.signal.aborted) throw controller.signal.reason as ProviderError;
      if (err instanceof ProviderError) {
        if (err.fatal) this.fatalError ??= err;
        if (err.kind === 'rate_limit') this.onRateLimit(err, epoch);
        this.onUnreachable(err);
      }
      throw err;
    } finally {
      clearTimeout(timer);
      stopWatching?.();
    }
  }

  /**
   * A backend that refuses every connection is down, not busy: after `unreachableAfter` connection
   * failures in a row with no reply in between, every request fails at once with one clear error
   * instead of each going through its full backoff.
   */
  private onUnreachable(err: ProviderError): void {
    // A kept-alive connection dropped as it was reused says nothing about the server being down
    // (at 256 in flight, a dozen came in a row when a server closed its idle connections).
    if (err.kind === 'network' && err.reusedConnection) return;
    if (err.kind !== 'network') {
      this.networkFailuresInARow = 0;
      return;
    }
    this.networkFailuresInARow += 1;
    if (this.networkFailuresInARow >= this.unreachableAfter && !this.fatalError) {
      this.fatalError = new ProviderError('unreachable', `${err.message} (${this.networkFailuresInARow} connection failures in a row: is the server running and the URL right?)`, { cause: err });
    }
  }

  private onSuccess(): void {
    this.networkFailuresInARow = 0;
    this.successesInARow += 1;
    if (this.currentLimit < this.startLimit && this.successesInARow >= this.successesToGrow) {
      this.successesInARow = 0;
      this.setLimit(this.currentLimit + 1, 'recovered');
    }
  }

  private onRateLimit(err: ProviderError, epoch: number): void {
    this.successesInARow = 0;
    this.emit({ type: 'rate_limited', providerId: this.id, at: this.clock.now(), retryAfterMs: err.retryAfterMs, error: err });
    if (err.retryAfterMs !== undefined && err.retryAfterMs <= this.maxRetryAfterMs) this.holdUntil = Math.max(this.holdUntil, this.clock.now() + err.retryAfterMs);
    if (epoch === this.limitEpoch && this.currentLimit > 1) {
      this.limitEpoch += 1;
      this.setLimit(Math.max(1, Math.floor(this.currentLimit / 2)), 'rate_limit');
    }
  }

  private setLimit(to: number, reason: 'rate_limit' | 'recovered'): void {
    const from = this.currentLimit;
    this.currentLimit = to;
    this.queue.concurrency = to;
    const at = this.clock.now();
    this.history.push({ at, limit: to, reason });
    this.emit({ type: 'limit_changed', providerId: this.id, at, from, to, reason });
  }

  private emit(event: SchedulerEvent): void {
    this.onEvent?.(event);
  }
}
