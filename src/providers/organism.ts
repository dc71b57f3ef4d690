/**
 * `organism:<name>`: emlab's own small language models (src/organisms/model), served in-process.
 * Concurrent chat requests are gathered into batches, because the organism decodes many
 * sequences at once almost as fast as one.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelRef } from './model-id.js';
import { ProviderError } from './errors.js';
import { organismCheckpointVersion } from './organism-version.js';
import type { CallOptions, ChatMessage, ChatRequest, ChatResponse, Completion, ModelProvider, ProviderCapabilities, TokenLogprob } from './types.js';
import type { ChatTurn, GeneratedToken, GenerationRequest, OrganismModel } from '../organisms/model/index.js';

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

export class OrganismProvider implements ModelProvider {
  readonly id: string;
  /** The checkpoint's content hash, read when the provider is made (see organism-version.ts). */
  readonly version: string;
  // Every number 0..100 is one token of the organisms' tokenizer, so first-token logprobs read a
  // judge organism exactly; teacher forcing is exact too and reuses the prompt's cache.
  readonly capabilities: ProviderCapabilities = { logprobs: true, maxTopLogprobs: 20, scoreText: true };
  private model: Promise<OrganismModel> | undefined;
  private pending: Pending[] = [];
  private running = false;
  private closed = false;

  constructor(
    private readonly ref: OrganismRef,
    private readonly dir: string = resolveOrganismDir(ref.name),
  ) {
    this.id = ref.id;
    try {
      this.version = organismCheckpointVersion(dir);
    } catch (err) {
      throw new ProviderError('not_found', `${this.id}: cannot read the checkpoint in ${dir} (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  private load(): Promise<OrganismModel> {
    this.model ??= import('../organisms/model/index.js').then(async (m) => {
      await m.ensureBackend();
      try {
        return await m.loadCheckpoint(this.dir);
      } catch (err) {
        throw new ProviderError('not_found', `${this.id}: cannot load ${this.dir} (${err instanceof Error ? err.message : String(err)})`);
      }
    });
    return this.model;
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
      if (!this.running) setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH).filter((p) => {
          if (p.signal?.aborted) p.reject(p.signal.reason);
          return !p.signal?.aborted;
        });
        if (batch.length === 0) continue;
        try {
          const model = await this.load();
          const { generate } = await import('../organisms/model/index.js');
          const results = await generate(model, batch.map((p) => p.request));
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
          const e = err instanceof ProviderError ? err : new ProviderError('client', `${this.id}: ${err instanceof Error ? err.message : String(err)}`);
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }

  async scoreReplies(messages: ChatMessage[], candidates: string[], options: CallOptions = {}): Promise<number[]> {
    const model = await this.load();
    const { scoreReplies } = await import('../organisms/model/index.js');
    return scoreReplies(model, toTurns(messages), candidates, options.signal ? { signal: options.signal } : {});
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.model) (await this.model.catch(() => undefined))?.dispose();
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
