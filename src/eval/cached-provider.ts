import type { Store } from '../store/store.js';
import { contentHash } from '../store/hash.js';
import type { CallOptions, ChatMessage, ChatRequest, ChatResponse, ModelProvider } from '../providers/types.js';
import { ProviderError } from '../providers/errors.js';

/**
 * The content address of one model call. The sample index makes 100 samples 100 requests. The
 * provider's content version (ModelProvider.version) tells apart two models under one id; when it
 * is absent the key is the one emlab always used, so databases of API runs keep their answers.
 */
export function requestKey(model: string, kind: 'chat' | 'score', request: unknown, sampleIndex: number, version?: string): string {
  return contentHash({ model, version, kind, request, sampleIndex });
}

export interface CacheStats {
  hits: number;
  sent: number;
  failed: number;
  /** Tokens billed for the requests this process sent (as the backend reported them). */
  inputTokens: number;
  outputTokens: number;
}

/**
 * A provider seen through the store: a request answered before (in this run or any other that
 * shares the database) is served from it and never sent again; a new answer is committed before
 * its request leaves the scheduler's slot (CallOptions.onReply; with the other answers of the same
 * turn of the event loop: Store.queueResponse); a failure is recorded under the request's key so
 * the next run retries it.
 */
export class CachedProvider implements ModelProvider {
  readonly id: string;
  readonly version?: string;
  readonly capabilities: ModelProvider['capabilities'];
  readonly stats: CacheStats = { hits: 0, sent: 0, failed: 0, inputTokens: 0, outputTokens: 0 };
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly inner: ModelProvider,
    private readonly store: Store,
  ) {
    this.id = inner.id;
    if (inner.version !== undefined) this.version = inner.version;
    this.capabilities = inner.capabilities;
    if (inner.scoreReplies === undefined) this.scoreReplies = undefined;
  }

  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResponse> {
    return this.chatAt(request, 0, options);
  }

  /** The key an answer to `request` as sample `sampleIndex` is stored under (what a plan must record). */
  keyOf(request: ChatRequest, sampleIndex: number): string {
    return requestKey(this.id, 'chat', request, sampleIndex, this.version);
  }

  /** The answer stored under `key`, counted as a hit; undefined when there is none. */
  storedAnswer(key: string): ChatResponse | undefined {
    const cached = this.store.getResponse<ChatResponse>(key);
    if (cached !== undefined) this.stats.hits++;
    return cached;
  }

  /** `key`, when given, must be keyOf(request, sampleIndex) (a plan holds it already). */
  chatAt(request: ChatRequest, sampleIndex: number, options?: CallOptions, key = this.keyOf(request, sampleIndex)): Promise<ChatResponse> {
    const cached = this.store.getResponse<ChatResponse>(key);
    if (cached !== undefined) {
      this.stats.hits++;
      return Promise.resolve(cached);
    }
    return this.once(key, () => this.send(key, request, sampleIndex, options));
  }

  /**
   * Identical requests in flight at the same time (two answers that happen to be the same text,
   * judged the same way) share one call instead of each paying for it.
   */
  private once<T>(key: string, call: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) {
      this.stats.hits++;
      return pending as Promise<T>;
    }
    const p = call().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async send(key: string, request: ChatRequest, sampleIndex: number, options?: CallOptions): Promise<ChatResponse> {
    const started = performance.now();
    // Stored inside the request's slot when the inner provider is a scheduler, else right after.
    let stored: Promise<void> | undefined;
    const store = (response: ChatResponse): Promise<void> =>
      (stored ??= this.store.queueResponse({
        key,
        model: this.id,
        kind: 'chat',
        request,
        sampleIndex,
        response,
        inputTokens: response.usage?.inputTokens,
        outputTokens: response.usage?.outputTokens,
        latencyMs: performance.now() - started,
      }));
    let response: ChatResponse;
    try {
      this.stats.sent++;
      response = await this.inner.chat(request, { ...options, onReply: store });
    } catch (err) {
      if (stored === undefined) this.fail(key, err);
      throw err;
    }
    this.stats.inputTokens += response.usage?.inputTokens ?? 0;
    this.stats.outputTokens += response.usage?.outputTokens ?? 0;
    await store(response);
    return response;
  }

  scoreReplies?: (messages: ChatMessage[], candidates: string[], options?: CallOptions) => Promise<number[]> = async (messages, candidates, options) => {
    const request = { messages, candidates };
    const key = requestKey(this.id, 'score', request, 0, this.version);
    const cached = this.store.getResponse<(number | null)[]>(key);
    if (cached !== undefined) {
      this.stats.hits++;
      // JSON has no -Infinity: an impossible candidate is stored as null.
      return cached.map((lp) => lp ?? Number.NEGATIVE_INFINITY);
    }
    return this.once(key, () => this.sendScore(key, request, options));
  };

  private async sendScore(key: string, request: { messages: ChatMessage[]; candidates: string[] }, options?: CallOptions): Promise<number[]> {
    const started = performance.now();
    let logprobs: number[];
    try {
      this.stats.sent++;
      logprobs = await this.inner.scoreReplies!(request.messages, request.candidates, options);
    } catch (err) {
      this.fail(key, err);
      throw err;
    }
    this.store.putResponse({ key, model: this.id, kind: 'score', request, sampleIndex: 0, response: logprobs.map((lp) => (Number.isFinite(lp) ? lp : null)), latencyMs: performance.now() - started });
    return logprobs;
  }

  private fail(key: string, err: unknown): void {
    this.stats.failed++;
    const kind = err instanceof ProviderError ? err.kind : 'error';
    const message = err instanceof Error ? err.message : String(err);
    this.store.recordFailure({ key, model: this.id, kind, message: message.slice(0, 500) });
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }
}
