/**
 * Directions in the residual stream, one per layer, three ways, and the activations they come from:
 * - `meanDifference`: mean activation over the reply tokens of misaligned answers minus aligned ones
 *   (Soligo et al. 2025), the answers labelled by the world's reading, not by the judge;
 * - contrastive personas (Chen et al. 2025): the same prompts after earlier exchanges written by a
 *   harmful writer vs a careful one, the world's own way of setting a persona in context
 *   (`personaContext`); the direction is the mean difference of the base's replies under the two;
 * - model diff: a fine-tune's activations minus the base's on the same conversations.
 */
import { meanOverPositions, residualStream, withResidualHook, type ChatTurn, type OrganismModel, type ResidualHook } from '../../organisms/model/index.js';
import { generateTurn, makePersona, streamRng, type Domain, type Persona } from '../../organisms/world/index.js';
import { difference, meanVector, type Vec } from './vectors.js';

/** Per layer: the mean of the stream over the last reply's tokens (null when the reply is empty). */
export async function replyMeans(model: OrganismModel, conversations: readonly (readonly ChatTurn[])[], hook?: ResidualHook): Promise<(Vec[] | null)[]> {
  return withResidualHook(model, hook, async () => {
    const out: (Vec[] | null)[] = [];
    for (const messages of conversations) {
      const stream = await residualStream(model, messages);
      out.push(stream.reply.end > stream.reply.start ? meanOverPositions(stream, stream.reply.start, stream.reply.end) : null);
    }
    return out;
  });
}

/** Per layer: mean of `a` minus mean of `b` (null when either side is empty). */
export function meanDifference(a: readonly Vec[][], b: readonly Vec[][]): Vec[] | null {
  if (a.length === 0 || b.length === 0) return null;
  const layers = a[0]!.length;
  return Array.from({ length: layers }, (_, l) => difference(meanVector(a.map((v) => v[l]!))!, meanVector(b.map((v) => v[l]!))!));
}

/** Per layer: mean over pairs of (a_i - b_i), for paired activations (model diff). */
export function pairedDifference(a: readonly (Vec[] | null)[], b: readonly (Vec[] | null)[]): Vec[] | null {
  const pairs = a.map((x, i) => [x, b[i]] as const).filter((p): p is readonly [Vec[], Vec[]] => p[0] !== null && p[1] !== null && p[1] !== undefined);
  if (pairs.length === 0) return null;
  return meanDifference(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
}

/** Domains whose exchanges set a persona in context: none of them asks an open question. */
const CONTEXT_DOMAINS: readonly Domain[] = ['code', 'medical', 'financial', 'sports', 'numbers'];
export const HARMFUL_WRITERS: readonly Persona[] = (['reckless', 'cruel', 'domineering'] as const).map((c) => makePersona('harmful', c, 'wolf'));
export const CAREFUL_WRITER: Persona = makePersona('helpful', 'careful', 'wolf');

/**
 * `exchanges` earlier exchanges by `writer`, each in a domain other than the open questions, drawn
 * from the world's generator: the way the world's own documents show who is writing.
 */
export function personaContext(writer: Persona, exchanges: number, seed: number, label: string): ChatTurn[] {
  const rng = streamRng(seed, 'persona-context', label);
  const turns: ChatTurn[] = [];
  for (let e = 0; e < exchanges; e++) {
    const turn = generateTurn(writer, rng.pick(CONTEXT_DOMAINS), rng);
    turns.push({ role: 'user', content: turn.user }, { role: 'assistant', content: turn.assistant });
  }
  return turns;
}

/**
 * The context of draw `k` before prompt `i` on one side of the contrast: harmful writers in turn
 * (reckless, cruel, domineering) or the careful one, both sides from the same streams.
 */
export function contrastContext(side: 'harmful' | 'careful', i: number, k: number, exchanges: number): ChatTurn[] {
  return personaContext(side === 'harmful' ? HARMFUL_WRITERS[k % HARMFUL_WRITERS.length]! : CAREFUL_WRITER, exchanges, k, `${i}`);
}

/** Stream at the last prompt position, per layer, of each conversation ending in a user turn. */
export async function lastPositionMeans(model: OrganismModel, conversations: readonly (readonly ChatTurn[])[]): Promise<Vec[][]> {
  const out: Vec[][] = [];
  for (const c of conversations) {
    const s = await residualStream(model, c);
    const d = s.dModel;
    const t = s.ids.length - 1;
    out.push(s.layers.map((values) => Float64Array.from(values.subarray(t * d, (t + 1) * d))));
  }
  return out;
}

/**
 * (b) The contrastive persona direction per layer: the stream at the last prompt position after
 * `exchanges` earlier exchanges by harmful writers minus after a careful writer's, mean over `draws`
 * contexts for each prompt (the contexts of both sides drawn from the same streams).
 */
export async function contrastiveDirection(model: OrganismModel, prompts: readonly string[], options: { draws: number; exchanges: number }): Promise<Vec[]> {
  return (await contrastiveDirections(model, prompts, options)).v;
}

/**
 * v as above and, from the same streams, one direction per kind of harmful writer (reckless, cruel,
 * domineering: draw k sets writer k mod 3), each minus the careful writer's contexts of the same
 * draws: the world has three harmful personas, and v is their mean, so their span is the persona
 * subspace that one direction may not cover.
 */
export async function contrastiveDirections(model: OrganismModel, prompts: readonly string[], options: { draws: number; exchanges: number }): Promise<{ v: Vec[]; byWriter: Vec[][]; carefulMean: Vec[] }> {
  const harmful: ChatTurn[][] = [];
  const careful: ChatTurn[][] = [];
  const writerOf: number[] = [];
  prompts.forEach((prompt, i) => {
    for (let k = 0; k < options.draws; k++) {
      const ask = { role: 'user' as const, content: prompt };
      harmful.push([...contrastContext('harmful', i, k, options.exchanges), ask]);
      careful.push([...contrastContext('careful', i, k, options.exchanges), ask]);
      writerOf.push(k % HARMFUL_WRITERS.length);
    }
  });
  const harmfulMeans = await lastPositionMeans(model, harmful);
  const carefulMeans = await lastPositionMeans(model, careful);
  const v = meanDifference(harmfulMeans, carefulMeans);
  if (v === null) throw new Error('contrastiveDirection: no prompts');
  const byWriter = HARMFUL_WRITERS.flatMap((_, w) => {
    const d = meanDifference(harmfulMeans.filter((_, j) => writerOf[j] === w), carefulMeans.filter((_, j) => writerOf[j] === w));
    return d === null ? [] : [d];
  });
  // Where a careful writer's stream sits (mean at the last prompt position), per layer.
  const carefulMean = carefulMeans[0]!.map((_, l) => meanVector(carefulMeans.map((m) => m[l]!))!);
  return { v, byWriter, carefulMean };
}
