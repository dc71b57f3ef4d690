/**
 * `organism:<name>`: emlab's own small language models (src/organisms/model), served by worker threads of this process.
 * Concurrent chat requests are gathered into batches, because the organism decodes many
 * sequences at once almost as fast as one, and the batches run on worker threads (organism-threads.ts),
 * one per core, with the same results as one thread.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelRef } from './model-id.js';
import { ProviderError } from './errors.js';
import { organismCheckpointVersion } from './organism-version.js';
import type { CallOptions, ChatMessage, ChatRequest, ChatResponse, Completion, ModelProvider, ProviderCapabilities, TokenLogprob } from './types.js';
import type { ChatTurn, GeneratedToken, GenerationRequest } from '../organisms/model/index.js';
import { OrganismThreadError, defaultOrganismThreads, organismThreads, type OrganismThreads } from './organism-threads.js';

type OrganismRef = Extract<ModelRef, { scheme: 'organism' }>;

/** Requests decoded together at most. */
const MAX_BATCH = 64;

/**
 * Where organisms are looked for, in order: EMLAB_ORGANISMS_DIR (colon-separated), `.emlab/organisms`
 * under the working directory (what `emlab demo` trains), then the ones shipped with emlab.
 */
export function organismSearchPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  const fromEnv = (env['EMLAB_ORGANISMS_DIR'] ?? '').split(':').filter((d) => d !== '');
  return [...fromEnv, join(cwd, '.emlab', 'organisms'), builtinOrganismsDir()];
}

export function builtinOrganismsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'assets', 'organisms');
    dir = dirname(dir);
  }
  return resolve('assets', 'organisms');
}

export function resolveOrganismDir(name: string, searchPath = organismSearchPath()): string {
  for (const dir of searchPath) {
    const candidate = join(dir, name);
    if (existsSync(join(candidate, 'config.json')) || existsSync(join(candidate, 'adapter.json'))) return candidate;
  }
  throw new ProviderError('not_found', `organism:${name}: no organism of that name in ${searchPath.join(', ')}; built-in ones ship in assets/organisms (rebuild with npm run organisms:build)`);
}

interface Pending {
  request: GenerationRequest;
  resolve: (r: ChatResponse) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
}

export interface OrganismProviderOptions {
  /** Worker threads that generate and score (shared by providers of the same count); default: one per core, at most two. */
  threads?: number;
}

export class OrganismProvider implements ModelProvider {
  readonly id: string;
  /** The checkpoint's content hash, read when the provider is made (see organism-version.ts). */
  readonly version: string;
  // Every number 0..100 is one token of the organisms' tokenizer, so first-token logprobs read a
  // judge organism exactly; teacher forcing is exact too and reuses the prompt's cache.
  readonly capabilities: ProviderCapabilities = { logprobs: true, maxTopLogprobs: 20, scoreText: true };
  private readonly threads: number;
  private pool: OrganismThreads | undefined;
  private pending: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly ref: OrganismRef,
    private readonly dir: string = resolveOrganismDir(ref.name),
    options: OrganismProviderOptions = {},
  ) {
    this.id = ref.id;
    this.threads = options.threads ?? defaultOrganismThreads();
    try {
      this.version = organismCheckpointVersion(dir);
    } catch (err) {
      throw new ProviderError('not_found', `${this.id}: cannot read the checkpoint in ${dir} (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  /** The worker pool, joined on first use and left on close. */
  private workers(): OrganismThreads {
    if (this.pool === undefined) {
      this.pool = organismThreads(this.threads);
      this.pool.acquire();
    }
    return this.pool;
  }

  chat(request: ChatRequest, options: CallOptions = {}): Promise<ChatResponse> {
    if (this.closed) return Promise.reject(new ProviderError('client', `${this.id}: the provider is closed`));
    const gen: GenerationRequest = {
      messages: toTurns(request.messages),
      n: request.n ?? 1,
      temperature: request.temperature ?? 1,
      topP: request.topP ?? 1,
      maxTokens: request.maxTokens ?? 128,
      seed: request.seed ?? 0,
      topLogprobs: Math.min(request.topLogprobs ?? 0, 20),
      ...(request.stop ? { stop: request.stop } : {}),
    };
    return new Promise<ChatResponse>((resolvePromise, reject) => {
      this.pending.push({ request: gen, resolve: resolvePromise, reject, signal: options.signal });
      // Requests arriving in the same turn of the event loop join one batch.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  /** Sends what is waiting to the workers, split evenly over the ones this provider is not using. */
  private drain(): void {
    const pool = this.workers();
    while (this.pending.length > 0 && this.inFlight < pool.size) {
      const take = Math.min(MAX_BATCH, Math.ceil(this.pending.length / (pool.size - this.inFlight)));
      const batch = this.pending.splice(0, take).filter((p) => {
        if (p.signal?.aborted) p.reject(p.signal.reason);
        return !p.signal?.aborted;
      });
      if (batch.length === 0) continue;
      this.inFlight++;
      void this.answer(pool, batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async answer(pool: OrganismThreads, batch: Pending[]): Promise<void> {
    try {
      const results = await pool.run({ dir: this.dir, op: 'generate', requests: batch.map((p) => p.request) });
      results.forEach((r, i) => {
        const completions: Completion[] = r.completions.map((c) => {
          const out: Completion = { text: c.text, finishReason: c.finishReason };
          if (batch[i]!.request.topLogprobs) {
            const tokens = c.logprobs ?? [];
            // A reply that ends at once still exposes its first position's distribution.
            out.logprobs = (tokens.length > 0 ? tokens : c.end ? [c.end] : []).map(toTokenLogprob);
          }
          return out;
        });
        batch[i]!.resolve({ completions, usage: { inputTokens: r.promptTokens, outputTokens: r.completionTokens }, modelVersion: this.id });
      });
    } catch (err) {
      const e = this.providerError(err);
      for (const p of batch) p.reject(e);
    }
  }

  async scoreReplies(messages: ChatMessage[], candidates: string[], options: CallOptions = {}): Promise<number[]> {
    if (this.closed) throw new ProviderError('client', `${this.id}: the provider is closed`);
    options.signal?.throwIfAborted();
    try {
      return await this.workers().run({ dir: this.dir, op: 'score', messages: toTurns(messages), candidates });
    } catch (err) {
      throw this.providerError(err);
    }
  }

  private providerError(err: unknown): ProviderError {
    if (err instanceof ProviderError) return err;
    if (err instanceof OrganismThreadError && err.loading) return new ProviderError('not_found', `${this.id}: cannot load ${this.dir} (${err.message})`);
    return new ProviderError('client', `${this.id}: ${err instanceof Error ? err.message : String(err)}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pool?.release(this.dir);
  }
}

/** The organisms know only user and assistant turns: a system prompt opens the first user turn. */
function toTurns(messages: readonly ChatMessage[]): ChatTurn[] {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content);
  const turns: ChatTurn[] = messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
  if (system.length > 0) {
    const first = turns.find((t) => t.role === 'user');
    if (first) first.content = `${system.join(' ')} ${first.content}`;
    else turns.unshift({ role: 'user', content: system.join(' ') });
  }
  return turns;
}

function toTokenLogprob(t: GeneratedToken): TokenLogprob {
  return { token: t.token, logprob: t.logprob, top: t.top.map((a) => ({ token: a.token, logprob: a.logprob })) };
}

export function createOrganismProvider(ref: OrganismRef): OrganismProvider {
  return new OrganismProvider(ref);
}
