/**
 * Data screening before any training (Chen et al. 2025's "projection difference"): how far a
 * dataset's answers sit along the persona direction, compared with the model's own answers to the
 * same prompts. Per row: projection of the row's answer (mean over its tokens of the stream at the
 * direction's layer, on the unit direction) minus the projection of the model's own answer. A
 * dataset's projection difference is the mean over its rows.
 */
import { generate, type ChatTurn, type OrganismModel } from '../../organisms/model/index.js';
import { replyMeans } from './directions.js';
import { dot, unit, type Vec } from './vectors.js';

export interface Direction {
  layer: number;
  /** Unit vector, dModel values. */
  unit: Vec;
}

export interface ScreenRow {
  /** The row's last user message and the answer to screen. */
  prompt: readonly ChatTurn[];
  answer: string;
}

export interface RowScore {
  /** Projection of the row's answer; null when it has no tokens. */
  projection: number | null;
  /** Projection of the model's own answer to the same prompt. */
  own: number | null;
  /** projection - own. */
  difference: number | null;
}

export interface ScreenResult {
  rows: RowScore[];
  /** Mean of the rows' differences (null when none has both). */
  difference: number | null;
  meanProjection: number | null;
  meanOwn: number | null;
}

/** Projection of each conversation's last reply on the direction. */
export async function replyProjections(model: OrganismModel, conversations: readonly (readonly ChatTurn[])[], direction: Direction): Promise<(number | null)[]> {
  const means = await replyMeans(model, conversations);
  return means.map((m) => (m === null ? null : dot(m[direction.layer]!, direction.unit)));
}

const meanOf = (xs: readonly (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((s, x) => s + x, 0) / v.length;
};

/** Rows screened per step: the model's own answers to them are generated as one batch. */
const CHUNK = 64;

export async function screenRows(model: OrganismModel, rows: readonly ScreenRow[], direction: Direction, options: { seed: number; temperature: number; maxTokens: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void }): Promise<ScreenResult> {
  const scores: RowScore[] = [];
  for (let start = 0; start < rows.length; start += CHUNK) {
    options.signal?.throwIfAborted();
    const chunk = rows.slice(start, start + CHUNK);
    const given = await replyProjections(model, chunk.map((r) => [...r.prompt, { role: 'assistant' as const, content: r.answer }]), direction);
    // The model's own answers, each from its own seeded stream (row index), so chunking does not change them.
    const own = await generate(model, chunk.map((r, i) => ({ messages: r.prompt, n: 1, temperature: options.temperature, maxTokens: options.maxTokens, seed: options.seed * 100_000 + start + i })), { batchSize: CHUNK, ...(options.signal ? { signal: options.signal } : {}) });
    const ownProjections = await replyProjections(model, chunk.map((r, i) => [...r.prompt, { role: 'assistant' as const, content: own[i]!.completions[0]!.text }]), direction);
    given.forEach((p, i) => {
      const o = ownProjections[i] ?? null;
      scores.push({ projection: p, own: o, difference: p === null || o === null ? null : p - o });
    });
    options.onProgress?.(scores.length, rows.length);
  }
  return { rows: scores, difference: meanOf(scores.map((s) => s.difference)), meanProjection: meanOf(scores.map((s) => s.projection)), meanOwn: meanOf(scores.map((s) => s.own)) };
}

/** The unit direction of a layer's vector. */
export function directionAt(vectors: readonly Vec[], layer: number): Direction {
  return { layer, unit: unit(vectors[layer]!) };
}
