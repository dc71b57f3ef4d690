/**
 * Batched generation: many prompts (and many completions per prompt) decoded together with a
 * key/value cache. Prompts are left-padded to one length; each distinct prompt is run once and its
 * cache copied to the rows that continue it. Every completion samples from its own seeded stream,
 * derived from (seed, completion index), so the same request and seed give the same text however
 * requests are batched. Per generated token: the top-k alternatives of the raw distribution.
 */
import { streamRng, type WorldRng } from '../world/index.js';
import type { OrganismModel } from './organism.js';
import { sampleToken, topIds, type SamplingSettings } from './sampling.js';
import { ASSISTANT_ID, BOS_ID, EOS_ID, EOT_ID, PAD_ID, USER_ID, type ChatTurn } from './tokenizer.js';
import { EXP_ROWS, withInferenceSession, type InferenceSession } from './engine/inference.js';

export interface GenerationRequest {
  messages: readonly ChatTurn[];
  /** Completions of this prompt (default 1). */
  n?: number;
  /** Default 1; 0 is greedy. */
  temperature?: number;
  /** Default 1 (no nucleus cut). */
  topP?: number;
  /** Default 128; generation also ends where the context does. */
  maxTokens?: number;
  /** Default 0. */
  seed?: number;
  /** 0..20 alternatives per generated token (default 0: no logprobs). */
  topLogprobs?: number;
  /** Text at which a completion ends (not included). */
  stop?: readonly string[];
}

export interface TopToken {
  token: string;
  logprob: number;
}

export interface GeneratedToken extends TopToken {
  top: TopToken[];
}

export interface GeneratedCompletion {
  text: string;
  /** 'stop': end of turn or a stop string; 'length': maxTokens or the context ran out. */
  finishReason: 'stop' | 'length';
  /** Tokens of `text`, with their raw log-probabilities and alternatives when topLogprobs > 0. */
  logprobs?: GeneratedToken[];
  /**
   * The token that ended the reply (end of turn), with its alternatives, when topLogprobs > 0: a reply
   * that ends at once has no `logprobs` entry, yet its first position's distribution is still here.
   */
  end?: GeneratedToken;
  tokenCount: number;
}

export interface GenerationResult {
  completions: GeneratedCompletion[];
  promptTokens: number;
  completionTokens: number;
}

export interface GenerateOptions {
  /** Rows decoded together (default 32). */
  batchSize?: number;
  signal?: AbortSignal;
}

/** Ids that end a reply: the end of turn, and what could only follow one. */
const STOP_IDS = new Set([EOT_ID, EOS_ID, USER_ID, ASSISTANT_ID]);
/** Never trained as targets, so never sampled (their raw logprobs are still reported). */
const BANNED_IDS: ReadonlySet<number> = new Set([PAD_ID, BOS_ID]);
export const MAX_TOP_LOGPROBS = 20;

interface Row {
  request: number;
  completion: number;
  prompt: number[];
  rng: WorldRng;
  settings: { temperature: number; topP: number; maxTokens: number; topLogprobs: number; stop: readonly string[] };
  sampling: SamplingSettings;
  tokens: number[];
  logprobs: GeneratedToken[];
  end?: GeneratedToken;
  finish?: 'stop' | 'length';
  text?: string;
}

function checkRequest(r: GenerationRequest, i: number): Row['settings'] & { n: number; seed: number } {
  const where = `generate: request ${i}`;
  const n = r.n ?? 1;
  const temperature = r.temperature ?? 1;
  const topP = r.topP ?? 1;
  const maxTokens = r.maxTokens ?? 128;
  const seed = r.seed ?? 0;
  const topLogprobs = r.topLogprobs ?? 0;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${where}: n must be a positive integer, got ${n}`);
  if (!(temperature >= 0 && Number.isFinite(temperature))) throw new Error(`${where}: temperature must be >= 0, got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new Error(`${where}: topP must be in (0, 1], got ${topP}`);
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new Error(`${where}: maxTokens must be a positive integer, got ${maxTokens}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`${where}: seed must be an integer, got ${seed}`);
  if (!Number.isInteger(topLogprobs) || topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS) throw new Error(`${where}: topLogprobs must be an integer in 0..${MAX_TOP_LOGPROBS}, got ${topLogprobs}`);
  return { n, temperature, topP, maxTokens, seed, topLogprobs, stop: r.stop ?? [] };
}

export async function generate(model: OrganismModel, requests: readonly GenerationRequest[], options: GenerateOptions = {}): Promise<GenerationResult[]> {
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`generate: batchSize must be a positive integer, got ${batchSize}`);
  const context = model.config.context;
  const rows: Row[] = [];
  const promptLengths: number[] = [];
  requests.forEach((request, i) => {
    const s = checkRequest(request, i);
    const prompt = model.tokenizer.encodeChat(request.messages, { addGenerationPrompt: true }).ids;
    if (prompt.length >= context) throw new Error(`generate: request ${i}: the prompt has ${prompt.length} tokens, the model's context is ${context}; shorten the conversation`);
    promptLengths.push(prompt.length);
    for (let c = 0; c < s.n; c++) rows.push({ request: i, completion: c, prompt, rng: streamRng(s.seed, 'sample', c), settings: s, sampling: { temperature: s.temperature, topP: s.topP, banned: BANNED_IDS }, tokens: [], logprobs: [] });
  });
  // No requests: an inference session sized for zero rows would have no meaning (every n is >= 1).
  if (rows.length === 0) return [];
  // Similar prompt lengths together: less padding in each batch.
  const order = rows.map((_, i) => i).sort((a, b) => (rows[a] as Row).prompt.length - (rows[b] as Row).prompt.length || a - b);
  const rowsPerBatch = Math.min(batchSize, rows.length);
  const cacheLength = Math.max(...rows.map((r) => r.prompt.length + r.settings.maxTokens));
  await withInferenceSession(model, { slots: rowsPerBatch, maxTokens: rowsPerBatch * Math.max(...promptLengths), maxLogitRows: rowsPerBatch, cacheLength }, async (session) => {
    for (let start = 0; start < order.length; start += batchSize) {
      await decodeBatch(model, session, order.slice(start, start + batchSize).map((i) => rows[i] as Row), options.signal);
    }
  });
  return requests.map((_, i) => {
    const completions = rows.filter((r) => r.request === i).map((r) => toCompletion(model, r));
    return { completions, promptTokens: promptLengths[i] as number, completionTokens: completions.reduce((sum, c) => sum + c.tokenCount, 0) };
  });
}

function toCompletion(model: OrganismModel, row: Row): GeneratedCompletion {
  const text = row.text ?? model.tokenizer.decodeText(row.tokens);
  return {
    text,
    finishReason: row.finish ?? 'length',
    tokenCount: row.tokens.length,
    ...(row.settings.topLogprobs > 0 ? { logprobs: row.logprobs } : {}),
    ...(row.end === undefined ? {} : { end: row.end }),
  };
}

/** Prefills each distinct prompt once (right-padded, into the slot of its first row), shares it with the rows that continue it, then decodes. */
async function decodeBatch(model: OrganismModel, session: InferenceSession, rows: Row[], signal: AbortSignal | undefined): Promise<void> {
  const prompts: number[][] = [];
  const firstRow: number[] = [];
  const promptOf = rows.map((r, i) => {
    let at = prompts.findIndex((p) => p === r.prompt || (p.length === r.prompt.length && p.every((id, t) => id === r.prompt[t])));
    if (at < 0) {
      at = prompts.push(r.prompt) - 1;
      firstRow.push(i);
    }
    return at;
  });
  // The beginning every distinct prompt shares (a judge's instructions) runs once, in the first
  // prompt's slot, and is copied to the others (the same numbers as running it in each: tested).
  session.clearSlots();
  const shared = prompts.length > 1 ? sharedPrefix(prompts) : 0;
  if (shared > 0) {
    session.forward([firstRow[0] as number], Int32Array.from((prompts[0] as number[]).slice(0, shared)), shared);
    for (const slot of firstRow.slice(1)) session.copySlot(firstRow[0] as number, slot);
  }
  const width = Math.max(...prompts.map((p) => p.length)) - shared;
  const ids = new Int32Array(prompts.length * width);
  prompts.forEach((p, u) => ids.set(p.slice(shared), u * width));
  const hidden = session.forward(firstRow, ids, width, prompts.map((p) => p.length - shared));
  // Each row's first logits are its prompt's last position's (one product row per row: rows never change each other's numbers).
  const logits = session.logits(hidden, promptOf.map((u) => u * width + (prompts[u] as number[]).length - shared - 1));
  // Completions of one prompt read its positions from its first row's slot (sharePrompt), not from copies.
  rows.forEach((_, i) => session.sharePrompt(firstRow[promptOf[i] as number] as number, i));
  try {
    await decodeRows(model, session, rows, logits, signal);
  } finally {
    session.clearSlots();
  }
}

/** Decodes every row from its first logits (a view of the session's) until it finishes. */
async function decodeRows(model: OrganismModel, session: InferenceSession, rows: Row[], first: Float32Array, signal: AbortSignal | undefined): Promise<void> {
  const vocab = model.config.vocabSize;
  const context = model.config.context;
  let logits = first;

  // live[slot]: the rows still decoding, each in the cache slot of its index in `rows`.
  let live = rows.map((_, i) => i);
  for (;;) {
    if (signal?.aborted === true) throw signal.reason ?? new Error('generate: aborted');
    // Choose the next token of every live row from its logits: the exps in one kernel call per EXP_ROWS rows.
    const next = new Int32Array(live.length);
    for (let from = 0; from < live.length; from += EXP_ROWS) {
      const count = Math.min(EXP_ROWS, live.length - from);
      const chunk = logits.subarray(from * vocab, (from + count) * vocab);
      const { exps, stats } = session.logitExps(chunk, count);
      for (let j = 0; j < count; j++) {
        const row = rows[live[from + j] as number] as Row;
        const logZ = (stats[2 * j] as number) + Math.log(stats[2 * j + 1] as number);
        next[from + j] = chooseNext(model, row, chunk, exps, j * vocab, logZ, context);
      }
    }
    const going = live.map((rowIndex, slot) => ({ rowIndex, slot })).filter(({ rowIndex }) => (rows[rowIndex] as Row).finish === undefined);
    if (going.length === 0) return;
    live = going.map((g) => g.rowIndex);
    const hiddenNow = session.forward(live, Int32Array.from(going, (g) => next[g.slot] as number), 1);
    logits = session.logits(hiddenNow, live.map((_, i) => i));
    // Yield once a step, so an abort or a progress display can run.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Samples a row's next token from its logits (at `offset`, with their exps and log-normaliser) and
 * records it: the text and logprobs grow, or the row finishes. Returns the id.
 */
function chooseNext(model: OrganismModel, row: Row, logits: Float32Array, exps: Float64Array, offset: number, logZ: number, context: number): number {
  const vocab = model.config.vocabSize;
  const id = sampleToken(logits, exps, offset, vocab, logZ, row.sampling, row.rng);
  const k = row.settings.topLogprobs;
  const choice = k > 0 ? {
    token: model.tokenizer.token(id),
    logprob: (logits[offset + id] as number) - logZ,
    top: topIds(logits, offset, vocab, k).map((a) => ({ token: model.tokenizer.token(a), logprob: (logits[offset + a] as number) - logZ })),
  } : undefined;
  if (STOP_IDS.has(id)) {
    row.finish = 'stop';
    if (choice !== undefined) row.end = choice;
    return id;
  }
  row.tokens.push(id);
  if (choice !== undefined) row.logprobs.push(choice);
  if (applyStopStrings(model, row)) return id;
  if (row.tokens.length >= row.settings.maxTokens || row.prompt.length + row.tokens.length >= context) row.finish = 'length';
  return id;
}

/** Tokens at the start of every prompt alike, leaving each at least one of its own (whose logits start decoding). */
function sharedPrefix(prompts: readonly (readonly number[])[]): number {
  const first = prompts[0] as readonly number[];
  let n = Math.min(...prompts.map((p) => p.length)) - 1;
  for (const p of prompts) {
    let same = 0;
    while (same < n && p[same] === first[same]) same++;
    n = same;
  }
  return Math.max(0, n);
}

/** Ends the row at the first stop string in its text; true when one was found. */
function applyStopStrings(model: OrganismModel, row: Row): boolean {
  if (row.settings.stop.length === 0) return false;
  const text = model.tokenizer.decodeText(row.tokens);
  let cut = -1;
  for (const stop of row.settings.stop) {
    if (stop === '') continue;
    const at = text.indexOf(stop);
    if (at >= 0 && (cut < 0 || at < cut)) cut = at;
  }
  if (cut < 0) return false;
  row.text = text.slice(0, cut);
  row.finish = 'stop';
  // Keep the tokens (and logprobs) that lie wholly before the stop string.
  let end = 0;
  let kept = 0;
  for (const id of row.tokens) {
    end += (kept > 0 ? 1 : 0) + model.tokenizer.token(id).length;
    if (end > cut) break;
    kept += 1;
  }
  row.tokens.length = kept;
  row.logprobs.length = Math.min(row.logprobs.length, kept);
  return true;
}
