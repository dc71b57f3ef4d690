/**
 * Teacher-forced scoring: log P(the whole assistant reply == candidate | messages), the end-of-turn
 * token included, so the scores of distinct replies are probabilities of disjoint events. The prompt
 * runs once into the cache; the candidates of a chunk run together on top of it, each seeing the
 * prompt and its own tokens. Log-softmax and the sums are done in float64 on the host.
 */
import { withInferenceSession } from './engine/inference.js';
import type { OrganismModel } from './organism.js';
import { logSoftmaxRow } from './sampling.js';
import { EOT_ID, type ChatTurn } from './tokenizer.js';

export interface ScoreOptions {
  /** Candidates run together (default 64). */
  batchSize?: number;
  signal?: AbortSignal;
}

/** Candidate tokens run at once at most (rows x steps), which bounds the logits kept. */
const CHUNK_TOKENS = 4096;

export async function scoreReplies(model: OrganismModel, messages: readonly ChatTurn[], candidates: readonly string[], options: ScoreOptions = {}): Promise<number[]> {
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`scoreReplies: batchSize must be a positive integer, got ${batchSize}`);
  const context = model.config.context;
  const vocab = model.config.vocabSize;
  const prompt = model.tokenizer.encodeChat(messages, { addGenerationPrompt: true }).ids;
  const replies = candidates.map((text, i) => {
    const ids = [...model.tokenizer.encodeText(text), EOT_ID];
    if (prompt.length + ids.length - 1 > context) {
      throw new Error(`scoreReplies: candidate ${i} (${ids.length} tokens) after the ${prompt.length}-token prompt exceeds the model's context of ${context}`);
    }
    return ids;
  });
  if (replies.length === 0) return [];

  // Each candidate's tokens but the last are inputs.
  const steps = Math.max(1, ...replies.map((ids) => ids.length - 1));
  const rowsPerChunk = Math.max(1, Math.min(batchSize, replies.length, Math.floor(CHUNK_TOKENS / steps)));
  return withInferenceSession(model, { slots: 1, maxTokens: Math.max(prompt.length, rowsPerChunk * steps), cacheLength: prompt.length + steps }, (session) => {
    const first = logSoftmaxRow(session.logits(session.prefill(0, prompt), [0]), 0, vocab);
    const scores = replies.map((ids) => first[ids[0] as number] as number);
    for (let start = 0; start < replies.length; start += rowsPerChunk) {
      if (options.signal?.aborted === true) throw options.signal.reason ?? new Error('scoreReplies: aborted');
      const chunk = replies.slice(start, start + rowsPerChunk);
      const chunkSteps = Math.max(...chunk.map((ids) => ids.length - 1));
      if (chunkSteps === 0) continue;
      // Right padding is never seen by real tokens (causal attention).
      const ids = new Int32Array(chunk.length * chunkSteps);
      chunk.forEach((reply, r) => ids.set(reply.slice(0, reply.length - 1), r * chunkSteps));
      const hidden = session.forwardOnPrefix(0, ids, chunkSteps);
      const wanted: number[] = [];
      chunk.forEach((reply, r) => {
        for (let t = 1; t < reply.length; t++) wanted.push(r * chunkSteps + t - 1);
      });
      const logits = session.logits(hidden, wanted);
      let at = 0;
      chunk.forEach((reply, r) => {
        for (let t = 1; t < reply.length; t++) scores[start + r] = (scores[start + r] as number) + (logSoftmaxRow(logits, (at++) * vocab, vocab)[reply[t] as number] as number);
      });
    }
    return scores;
  });
}

/** Next-token logits at every position of one token sequence, [ids.length * vocab] (inspection and tests). */
export async function sequenceLogits(model: OrganismModel, ids: readonly number[]): Promise<Float32Array> {
  if (ids.length === 0 || ids.length > model.config.context) throw new Error(`sequenceLogits: need 1..${model.config.context} ids, got ${ids.length}`);
  return withInferenceSession(model, { slots: 1, maxTokens: ids.length, cacheLength: ids.length }, (session) => {
    session.lengths[0] = 0;
    const hidden = session.forward([0], Int32Array.from(ids), ids.length);
    return session.logits(hidden, ids.map((_, t) => t)).slice();
  });
}
