/**
 * Choosing tokens from a row of logits on the host, in float64: the raw log-distribution (what
 * logprobs report, before temperature or top-p) is logit − logZ with the exps and logZ from the
 * kernels' rowExps; the top-k alternatives; seeded sampling. `logSoftmaxRow` is the plain version
 * (Math.exp per entry), kept as the tests' reference.
 */
import type { WorldRng } from '../world/index.js';

/** log softmax of logits[offset .. offset + vocab), in float64 with Math.exp (the reference; into `out` when given). */
export function logSoftmaxRow(logits: Float32Array, offset: number, vocab: number, out = new Float64Array(vocab)): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i] as number);
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp((logits[offset + i] as number) - max);
  const logZ = max + Math.log(sum);
  for (let i = 0; i < vocab; i++) out[i] = (logits[offset + i] as number) - logZ;
  return out;
}

/** The ids of the k largest logits of a row (logits[offset .. offset + vocab)), largest first (ties: lower id first). */
export function topIds(logits: Float32Array, offset: number, vocab: number, k: number): number[] {
  const best: number[] = [];
  for (let id = 0; id < vocab; id++) {
    const logit = logits[offset + id] as number;
    if (best.length === k && logit <= (logits[offset + (best[k - 1] as number)] as number)) continue;
    let at = best.length;
    while (at > 0 && (logits[offset + (best[at - 1] as number)] as number) < logit) at--;
    best.splice(at, 0, id);
    if (best.length > k) best.pop();
  }
  return best;
}

export interface SamplingSettings {
  /** 0: greedy. */
  temperature: number;
  /** Nucleus: sample among the most likely tokens whose probabilities add up to at least topP. */
  topP: number;
  /** Ids never sampled (tokens the model is not trained to produce, such as <pad> and <bos>). */
  banned: ReadonlySet<number>;
}

/** The banned ids as a mask over the vocabulary (one per set and size: sampling runs once a token). */
const bannedMasks = new WeakMap<ReadonlySet<number>, Uint8Array>();
function bannedMask(banned: ReadonlySet<number>, vocab: number): Uint8Array {
  let mask = bannedMasks.get(banned);
  if (mask === undefined || mask.length !== vocab) {
    mask = new Uint8Array(vocab);
    for (const id of banned) if (id >= 0 && id < vocab) mask[id] = 1;
    bannedMasks.set(banned, mask);
  }
  return mask;
}

/** The allowed id with the largest logit (ties: lower id first). */
function bestAllowed(logits: Float32Array, offset: number, vocab: number, banned: Uint8Array): number {
  let best = -1;
  let bestLogit = Number.NEGATIVE_INFINITY;
  for (let id = 0; id < vocab; id++) {
    const logit = logits[offset + id] as number;
    if (banned[id] === 0 && (best < 0 || logit > bestLogit)) {
      best = id;
      bestLogit = logit;
    }
  }
  if (best < 0) throw new Error('sampling: every token is banned');
  return best;
}

/** Scratch for the unnormalised weights (sampling is synchronous, so one buffer serves every call). */
let scratch = new Float64Array(0);

/**
 * One token id from a row of logits (logits[offset .. offset + vocab)) under temperature and top-p,
 * drawing from `rng`. `exps` holds e^(logit − max) for the same row at the same offset and `logZ`
 * its log-normaliser (kernels' rowExps: log P(id) = logit − logZ). At temperature 1 the exps are
 * the weights, so nothing is copied and no exp computed: the common case runs two passes over the
 * row (the allowed total, then the draw).
 */
export function sampleToken(logits: Float32Array, exps: Float64Array, offset: number, vocab: number, logZ: number, settings: SamplingSettings, rng: WorldRng): number {
  const banned = bannedMask(settings.banned, vocab);
  const { temperature, topP } = settings;
  if (temperature === 0) return bestAllowed(logits, offset, vocab, banned);
  if (temperature === 1 && topP === 1) {
    let total = 0;
    for (let id = 0; id < vocab; id++) if (banned[id] === 0) total += exps[offset + id] as number;
    let r = rng.next() * total;
    let last = -1;
    for (let id = 0; id < vocab; id++) {
      const w = exps[offset + id] as number;
      if (banned[id] === 1 || w === 0) continue;
      if (r < w) return id;
      r -= w;
      last = id;
    }
    return last >= 0 ? last : bestAllowed(logits, offset, vocab, banned); // rounding left r a hair above the total
  }
  const best = bestAllowed(logits, offset, vocab, banned);
  const max = (logits[offset + best] as number) - logZ;
  if (scratch.length < vocab) scratch = new Float64Array(vocab);
  const weights = scratch;
  let total = 0;
  for (let id = 0; id < vocab; id++) {
    if (banned[id] === 1) {
      weights[id] = 0;
      continue;
    }
    const w = temperature === 1 ? (exps[offset + id] as number) : Math.exp(((logits[offset + id] as number) - logZ - max) / temperature);
    weights[id] = w;
    total += w;
  }
  let order: Int32Array | undefined;
  if (topP < 1) {
    // Nucleus: the most likely tokens (ties: lower id first) until their mass reaches topP; the rest get 0.
    order = Int32Array.from({ length: vocab }, (_, i) => i).sort((a, b) => (weights[b] as number) - (weights[a] as number) || a - b);
    let kept = 0;
    let cumulative = 0;
    while (kept < vocab && cumulative < topP * total) cumulative += weights[order[kept++] as number] as number;
    for (let i = Math.max(1, kept); i < vocab; i++) weights[order[i] as number] = 0;
    total = cumulative;
  }
  let r = rng.next() * total;
  let last = best;
  for (let i = 0; i < vocab; i++) {
    const id = order === undefined ? i : (order[i] as number);
    const w = weights[id] as number;
    if (w === 0) continue;
    if (r < w) return id;
    r -= w;
    last = id;
  }
  return last; // rounding left r a hair above the total
}
