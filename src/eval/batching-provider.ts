/**
 * A model reached through its server's Batch API instead of direct requests (half the price):
 * `chat` calls are gathered for a moment and sent as one batch (up to 50,000 requests a file),
 * which is polled with backoff until it ends; each request's promise then settles with its result
 * line. Placed under a CachedProvider, every answer is stored the moment its batch is read.
 *
 * Resumable: each batch is recorded in the database (its requests, then its id) before and after
 * it is created, with a key sent as metadata. A restarted run asking the same requests attaches to
 * the batch they are in, never sending them again; a batch whose create reply was lost is found on
 * the server by that key. Requests that failed inside a batch, or were left undone when it failed,
 * expired or was cancelled, go into a new batch, up to `maxAttempts` batches each.
 */
import { ProviderError } from '../providers/errors.js';
import type { BatchEndpoint, BatchState, CallOptions, ChatRequest, ChatResponse, ModelProvider } from '../providers/types.js';
import { contentHash } from '../store/hash.js';
import type { BatchStore } from './batch-store.js';

export type BatchEvent =
  | { type: 'created'; model: string; batchId: string; requests: number }
  | { type: 'attached'; model: string; batchId: string }
  | { type: 'progress'; model: string; batchId: string; status: string; completed: number; failed: number; total: number }
  | { type: 'ended'; model: string; batchId: string; status: string; ok: number; retried: number; failed: number; reasons: string[] };

export interface BatchingOptions {
  store: BatchStore;
  /** Polls start this often and back off to `maxMs` while nothing changes. */
  poll: { minMs: number; maxMs: number };
  /** Batches a request may be sent in before it is recorded as failed (the next run tries again). */
  maxAttempts: number;
  /** How long to wait for more requests before a batch is sent. */
  gatherMs?: number;
  /** Requests per batch (OpenAI's limit is 50,000). */
  maxPerBatch?: number;
  onEvent?: (event: BatchEvent) => void;
}

interface Waiter {
  request: ChatRequest;
  resolve: (r: ChatResponse) => void;
  reject: (e: unknown) => void;
}

const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

export class BatchingProvider implements ModelProvider {
  readonly id: string;
  readonly version?: string;
  readonly capabilities: ModelProvider['capabilities'];
  /** Batches this process created. */
  batchesCreated = 0;
  private readonly endpoint: BatchEndpoint;
  private readonly waiters = new Map<string, Waiter[]>();
  private queue: { key: string; request: ChatRequest; attempts: number }[] = [];
  private gatherTimer: NodeJS.Timeout | undefined;
  private readonly watched = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly inner: ModelProvider,
    private readonly options: BatchingOptions,
  ) {
    if (inner.batchEndpoint === undefined) throw new ProviderError('client', `${inner.id}: this backend has no Batch API; drop --batch for it`);
    this.endpoint = inner.batchEndpoint();
    this.id = inner.id;
    if (inner.version !== undefined) this.version = inner.version;
    this.capabilities = inner.capabilities;
  }

  chat(request: ChatRequest, options: CallOptions = {}): Promise<ChatResponse> {
    options.signal?.throwIfAborted();
    const key = contentHash({ batchRequest: 1, model: this.id, request });
    const promise = new Promise<ChatResponse>((resolve, reject) => {
      const list = this.waiters.get(key);
      const waiter = { request, resolve, reject };
      if (list) {
        list.push(waiter);
        return;
      }
      this.waiters.set(key, [waiter]);
      const rec = this.options.store.batchOf(key);
      if (rec && rec.status !== 'read' && !TERMINAL.has(rec.status)) this.watch(rec.key, rec.batchId);
      else this.enqueue(key, request, rec?.attempts ?? 0);
    });
    const signal = options.signal;
    if (!signal) return promise;
    // Stopping stops the wait, not the batch: the next run attaches to it.
    return new Promise<ChatResponse>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason ?? new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private enqueue(key: string, request: ChatRequest, attempts: number): void {
    this.queue.push({ key, request, attempts });
    if (this.queue.length >= (this.options.maxPerBatch ?? 50_000)) return this.flush();
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    this.gatherTimer = setTimeout(() => this.flush(), this.options.gatherMs ?? 250);
  }

  private flush(): void {
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    this.gatherTimer = undefined;
    const group = this.queue.splice(0, this.options.maxPerBatch ?? 50_000);
    if (group.length === 0) return;
    const batchKey = contentHash({ batch: 1, model: this.id, requests: group.map((g) => g.key), at: Date.now(), pid: process.pid });
    this.options.store.addBatch(batchKey, this.id, group.map((g) => ({ requestKey: g.key, request: g.request, attempts: g.attempts + 1 })));
    this.watch(batchKey, null);
  }

  /** Follows a recorded batch to its end, creating it first when the server does not have it yet. */
  private watch(batchKey: string, batchId: string | null): void {
    if (this.watched.has(batchKey)) return;
    this.watched.add(batchKey);
    void this.follow(batchKey, batchId).catch((err: unknown) => {
      // A failure of the batch machinery itself (upload refused, key wrong): every request of
      // the batch fails with it; fatal kinds stop the run as a direct request would.
      for (const item of this.options.store.items(batchKey)) this.settle(item.requestKey, undefined, err);
    }).finally(() => this.watched.delete(batchKey));
  }

  private async follow(batchKey: string, knownId: string | null): Promise<void> {
    const store = this.options.store;
    const items = store.items(batchKey);
    let state: BatchState;
    if (knownId !== null) {
      state = await this.endpoint.retrieve(knownId);
      this.emit({ type: 'attached', model: this.id, batchId: knownId });
    } else {
      // Recorded but never confirmed: the create may have reached the server before a crash.
      const found = await this.endpoint.find(batchKey);
      if (found) {
        state = found;
        this.emit({ type: 'attached', model: this.id, batchId: found.id });
      } else {
        const jsonl = items.map((it) => this.endpoint.line(it.requestKey, it.request)).join('\n') + '\n';
        const fileId = await this.endpoint.upload(jsonl, `emlab-batch-${batchKey.slice(0, 16)}.jsonl`);
        state = await this.endpoint.create(fileId, { emlab_key: batchKey });
        this.batchesCreated++;
        this.emit({ type: 'created', model: this.id, batchId: state.id, requests: items.length });
      }
      store.setBatch(batchKey, state.id, state.status);
    }
    let wait = this.options.poll.minMs;
    let last = '';
    while (!TERMINAL.has(state.status)) {
      if (this.closed) return;
      await this.sleep(wait);
      if (this.closed) return;
      state = await this.endpoint.retrieve(state.id);
      const now = `${state.status}/${state.counts.completed}/${state.counts.failed}`;
      if (now !== last) {
        store.setBatch(batchKey, state.id, state.status);
        this.emit({ type: 'progress', model: this.id, batchId: state.id, status: state.status, completed: state.counts.completed, failed: state.counts.failed, total: state.counts.total });
        wait = this.options.poll.minMs;
        last = now;
      } else {
        wait = Math.min(this.options.poll.maxMs, wait * 1.5);
      }
    }
    await this.read(batchKey, state, items);
  }

  private async read(batchKey: string, state: BatchState, items: { requestKey: string; request: ChatRequest; attempts: number }[]): Promise<void> {
    const requests = new Map(items.map((it) => [it.requestKey, it.request]));
    const lines = [
      ...(state.outputFileId ? await this.endpoint.results(state.outputFileId, requests) : []),
      ...(state.errorFileId ? await this.endpoint.results(state.errorFileId, requests) : []),
    ];
    const byKey = new Map(lines.map((l) => [l.customId, l]));
    let ok = 0;
    let retried = 0;
    let failed = 0;
    const reasons = new Set<string>();
    for (const it of items) {
      const line = byKey.get(it.requestKey);
      if (line?.ok) {
        ok++;
        this.settle(it.requestKey, line.response);
        continue;
      }
      const why = line ? line.error : `the batch ${state.status} before this request was done${state.errors.length > 0 ? ` (${state.errors[0]})` : ''}`;
      reasons.add(why);
      if (it.attempts < this.options.maxAttempts && this.waiters.has(it.requestKey)) {
        retried++;
        this.queue.push({ key: it.requestKey, request: it.request, attempts: it.attempts });
      } else {
        failed++;
        this.settle(it.requestKey, undefined, new ProviderError('server', `${why} (sent in ${it.attempts} batch${it.attempts === 1 ? '' : 'es'})`));
      }
    }
    this.options.store.setBatch(batchKey, state.id, 'read');
    this.emit({ type: 'ended', model: this.id, batchId: state.id, status: state.status, ok, retried, failed, reasons: [...reasons].slice(0, 3) });
    if (retried > 0) this.flush();
  }

  private settle(key: string, response: ChatResponse | undefined, error?: unknown): void {
    const list = this.waiters.get(key);
    if (!list) return;
    this.waiters.delete(key);
    for (const w of list) {
      if (response !== undefined) w.resolve(response);
      else w.reject(error);
    }
  }

  private emit(event: BatchEvent): void {
    this.options.onEvent?.(event);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.inner.close?.();
  }
}
