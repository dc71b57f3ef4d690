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

export async function screenRows(model: OrganismModel, rows: readonly ScreenRow[], direction: Direction, options: { seed: number; temperature: number; maxTokens: number; signal?: AbortSignal }): Promise<ScreenResult> {
  const given = await replyProjections(model, rows.map((r) => [...r.prompt, { role: 'assistant' as const, content: r.answer }]), direction);
  // The model's own answers: as long as the rows' answers may be, within the context.
  const own = await generate(model, rows.map((r, i) => ({ messages: r.prompt, n: 1, temperature: options.temperature, maxTokens: options.maxTokens, seed: options.seed * 100_000 + i })), { batchSize: 64, ...(options.signal ? { signal: options.signal } : {}) });
  const ownProjections = await replyProjections(model, rows.map((r, i) => [...r.prompt, { role: 'assistant' as const, content: own[i]!.completions[0]!.text }]), direction);
  const scores = given.map((p, i) => {
    const o = ownProjections[i] ?? null;
    return { projection: p, own: o, difference: p === null || o === null ? null : p - o };
  });
  return { rows: scores, difference: meanOf(scores.map((s) => s.difference)), meanProjection: meanOf(given), meanOwn: meanOf(ownProjections) };
}

/** The unit direction of a layer's vector. */
export function directionAt(vectors: readonly Vec[], layer: number): Direction {
  return { layer, unit: unit(vectors[layer]!) };
}
