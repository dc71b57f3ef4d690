/**
 * Teacher-forced scoring: log P(the whole assistant reply == candidate | messages), the end-of-turn
 * token included, so the scores of distinct replies are probabilities of disjoint events. The prompt
 * runs once into the cache; the candidates of a chunk run together on top of it, each seeing the
 * prompt and its own tokens. Log-softmax (the exps from the kernels' rowExps) and the sums are
 * float64.
 */
import { EXP_ROWS, withInferenceSession, type InferenceSession } from './engine/inference.js';
import type { OrganismModel } from './organism.js';
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
    const first = session.logits(session.prefill(0, prompt), [0]);
    const firstLogZ = logNormalisers(session, first, 1, vocab)[0] as number;
    const scores = replies.map((ids) => (first[ids[0] as number] as number) - firstLogZ);
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
      const logZ = logNormalisers(session, logits, wanted.length, vocab);
      let at = 0;
      chunk.forEach((reply, r) => {
        for (let t = 1; t < reply.length; t++, at++) scores[start + r] = (scores[start + r] as number) + ((logits[at * vocab + (reply[t] as number)] as number) - (logZ[at] as number));
      });
    }
    return scores;
  });
}

/** log Σ exp over each of the first `rows` rows of `logits` (a view the session returned): log P(id) = logit − logZ. */
function logNormalisers(session: InferenceSession, logits: Float32Array, rows: number, vocab: number): Float64Array {
  const logZ = new Float64Array(rows);
  for (let from = 0; from < rows; from += EXP_ROWS) {
    const count = Math.min(EXP_ROWS, rows - from);
    const { stats } = session.logitExps(logits.subarray(from * vocab, (from + count) * vocab), count);
    for (let j = 0; j < count; j++) logZ[from + j] = (stats[2 * j] as number) + Math.log(stats[2 * j + 1] as number);
  }
  return logZ;
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
