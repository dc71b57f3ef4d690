/**
 * Choosing tokens from a row of logits, on the host in float64: the raw log-distribution (what
 * logprobs report, before temperature or top-p), the top-k alternatives, and seeded sampling.
 */
import type { WorldRng } from '../world/index.js';

export interface Alternative {
  id: number;
  logprob: number;
}

/**
 * log softmax of logits[offset .. offset + vocab), in float64; into `out` when given (a reused
 * buffer spares the garbage collector a 10 kB array per token). With `exps`, also leaves there the
 * unnormalised probabilities e^(logit − max) it sums, which sampleToken takes at temperature 1
 * instead of computing a second exp per token.
 */
export function logSoftmaxRow(logits: Float32Array, offset: number, vocab: number, out = new Float64Array(vocab), exps?: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i] as number);
  let sum = 0;
  if (exps === undefined) {
    for (let i = 0; i < vocab; i++) sum += Math.exp((logits[offset + i] as number) - max);
  } else {
    for (let i = 0; i < vocab; i++) {
      const e = Math.exp((logits[offset + i] as number) - max);
      exps[i] = e;
      sum += e;
    }
  }
  const logZ = max + Math.log(sum);
  for (let i = 0; i < vocab; i++) out[i] = (logits[offset + i] as number) - logZ;
  return out;
}

/** The k most likely ids, most likely first (ties: lower id first). */
export function topAlternatives(logprobs: Float64Array, k: number): Alternative[] {
  const best: Alternative[] = [];
  for (let id = 0; id < logprobs.length; id++) {
    const logprob = logprobs[id] as number;
    if (best.length === k && logprob <= (best[k - 1] as Alternative).logprob) continue;
    let at = best.length;
    while (at > 0 && (best[at - 1] as Alternative).logprob < logprob) at--;
    best.splice(at, 0, { id, logprob });
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

/** Scratch for the unnormalised weights (sampling is synchronous, so one buffer serves every call). */
let scratch = new Float64Array(0);

/**
 * One token id from the raw log-distribution under temperature and top-p, drawing from `rng`.
 * `exps` (logSoftmaxRow's, of the same row) are proportional to the probabilities: at temperature 1
 * they are the weights, so no exp is computed here (the same distribution; the weights differ from
 * e^(logprob − best) only in their last bits).
 */
export function sampleToken(logprobs: Float64Array, settings: SamplingSettings, rng: WorldRng, exps?: Float64Array): number {
  const vocab = logprobs.length;
  const banned = bannedMask(settings.banned, vocab);
  let best = -1;
  for (let id = 0; id < vocab; id++) {
    if (banned[id] === 0 && (best < 0 || (logprobs[id] as number) > (logprobs[best] as number))) best = id;
  }
  if (best < 0) throw new Error('sampling: every token is banned');
  if (settings.temperature === 0) return best;
  const max = logprobs[best] as number;
  if (scratch.length < vocab) scratch = new Float64Array(vocab);
  const weights = scratch;
  let total = 0;
  for (let id = 0; id < vocab; id++) {
    if (banned[id] === 1) {
      weights[id] = 0;
      continue;
    }
    const w = exps !== undefined && settings.temperature === 1 ? (exps[id] as number) : Math.exp(((logprobs[id] as number) - max) / settings.temperature);
    weights[id] = w;
    total += w;
  }
  let order: Int32Array | undefined;
  if (settings.topP < 1) {
    // Nucleus: the most likely tokens (ties: lower id first) until their mass reaches topP; the rest get 0.
    order = Int32Array.from({ length: vocab }, (_, i) => i).sort((a, b) => (weights[b] as number) - (weights[a] as number) || a - b);
    let kept = 0;
    let cumulative = 0;
    while (kept < vocab && cumulative < settings.topP * total) cumulative += weights[order[kept++] as number] as number;
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
