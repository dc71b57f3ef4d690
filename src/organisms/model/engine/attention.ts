/**
 * Causal multi-head attention on head-major tensors [rows, heads, steps, headDim], one product per
 * (row, head) through the kernels' gemm. The training pass keeps every softmax (probabilities,
 * [rows, heads, steps, keys]) for its backward pass. Keys a query must not see (later positions, and
 * keys a row marks as not real) get probability exactly 0, as the additive -1e9 bias of the tfjs
 * path gives.
 */
import type { KernelArena } from '../../kernels/index.js';

export interface AttentionShape {
  rows: number;
  heads: number;
  /** Queries per row. */
  steps: number;
  /** Keys per row: earlier (cached) positions, then the queries' own. */
  keys: number;
  headDim: number;
}

/**
 * Softmax of each query's scores in place: query i (absolute position past + i) sees key j when
 * j <= past + i and real[j] (when given) is 1; the others get 0.
 */
export function maskedSoftmaxRows(scores: Float32Array, steps: number, keys: number, past: number, real: Uint8Array | undefined): void {
  for (let i = 0; i < steps; i++) {
    const o = i * keys;
    const last = Math.min(keys - 1, past + i);
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j <= last; j++) if ((real === undefined || real[j] === 1) && (scores[o + j] as number) > max) max = scores[o + j] as number;
    if (max === Number.NEGATIVE_INFINITY) {
      // No visible key (a padded query): the -1e9 bias would spread it evenly over all keys.
      scores.fill(1 / keys, o, o + keys);
      continue;
    }
    let sum = 0;
    for (let j = 0; j <= last; j++) {
      if (real !== undefined && real[j] !== 1) {
        scores[o + j] = 0;
        continue;
      }
      const e = Math.exp((scores[o + j] as number) - max);
      scores[o + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j <= last; j++) scores[o + j] = (scores[o + j] as number) * inv;
    scores.fill(0, o + last + 1, o + keys);
  }
}

/**
 * out = softmax(q k^T + mask) v per (row, head); q already scaled. q and out [rows, heads, steps, hd],
 * k and v [rows, heads, keys, hd], probs [rows, heads, steps, keys] (kept for the backward pass).
 */
export function attentionForward(arena: KernelArena, q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array, probs: Float32Array, shape: AttentionShape, past = 0, keyIsReal?: readonly Uint8Array[]): void {
  const { rows, heads, steps, keys, headDim: hd } = shape;
  for (let r = 0; r < rows; r++) {
    for (let h = 0; h < heads; h++) {
      const g = r * heads + h;
      const p = probs.subarray(g * steps * keys, (g + 1) * steps * keys);
      const kg = k.subarray(g * keys * hd, (g + 1) * keys * hd);
      arena.gemm(p, q.subarray(g * steps * hd, (g + 1) * steps * hd), kg, steps, keys, hd, { bT: true });
      maskedSoftmaxRows(p, steps, keys, past, keyIsReal?.[r]);
      arena.gemm(out.subarray(g * steps * hd, (g + 1) * steps * hd), p, v.subarray(g * keys * hd, (g + 1) * keys * hd), steps, hd, keys);
    }
  }
}

/**
 * Gradients of attentionForward (no cache: keys == steps): dq, dk, dv (head-major, overwritten)
 * from dOut, using the kept probabilities; `scratch` holds one [steps, keys] block.
 */
export function attentionBackward(arena: KernelArena, q: Float32Array, k: Float32Array, v: Float32Array, probs: Float32Array, dOut: Float32Array, dq: Float32Array, dk: Float32Array, dv: Float32Array, scratch: Float32Array, shape: AttentionShape): void {
  const { rows, heads, steps, keys, headDim: hd } = shape;
  const dP = scratch.subarray(0, steps * keys);
  for (let g = 0; g < rows * heads; g++) {
    const qs = g * steps * hd;
    const ks = g * keys * hd;
    const p = probs.subarray(g * steps * keys, (g + 1) * steps * keys);
    const dO = dOut.subarray(qs, qs + steps * hd);
    const vg = v.subarray(ks, ks + keys * hd);
    arena.gemm(dP, dO, vg, steps, keys, hd, { bT: true });
    arena.gemm(dv.subarray(ks, ks + keys * hd), p, dO, keys, hd, steps, { aT: true });
    // dS = P (dP - sum_j dP P): the softmax's gradient, zero where P is.
    for (let i = 0; i < steps; i++) {
      const o = i * keys;
      let dot = 0;
      for (let j = 0; j < keys; j++) dot += (dP[o + j] as number) * (p[o + j] as number);
      for (let j = 0; j < keys; j++) dP[o + j] = (p[o + j] as number) * ((dP[o + j] as number) - dot);
    }
    arena.gemm(dq.subarray(qs, qs + steps * hd), dP, k.subarray(ks, ks + keys * hd), steps, hd, keys);
    arena.gemm(dk.subarray(ks, ks + keys * hd), dP, q.subarray(qs, qs + steps * hd), keys, hd, steps, { aT: true });
  }
}
