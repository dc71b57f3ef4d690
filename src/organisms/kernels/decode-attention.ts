/**
 * Attention of one new token over a sequence's key/value cache (decoding), all heads in one wasm
 * call (decode-attention-kernel.ts). The cache layout is the inference session's: keys
 * [head, position, headDim], values transposed [head, headDim, position].
 */
import type { KernelArena } from './arena.js';
import { checkCount, checkViews } from './views.js';

export interface DecodeAttentionShape {
  /** Cached positions the query sees (its own included). */
  keys: number;
  heads: number;
  /** A multiple of 4. */
  headDim: number;
  /** Floats from one head's keys to the next's in `k` (≥ keys·headDim). */
  keyHeadStride: number;
  /** Floats from one head's transposed values to the next's in `vT`. */
  valueHeadStride: number;
  /** Floats from one row of a head's transposed values to the next (≥ keys; the cache's length). */
  valueRowStride: number;
  /** Default 1/√headDim. */
  scale?: number;
}

/** Floats of scratch decodeAttention needs for `keys` positions. */
export function decodeAttentionScratchFloats(keys: number): number {
  return Math.ceil(keys / 4) * 4;
}

/**
 * out[h·headDim + i] = Σ_j softmax_j(scale·q_h·k_{h,j})·vT[h, i, j] for each head h: q and out are
 * [heads·headDim], k and vT views starting at the sequence's first head. `scores`: scratch of
 * decodeAttentionScratchFloats(keys) floats. out must not overlap the others.
 */
export function decodeAttention(arena: KernelArena, out: Float32Array, q: Float32Array, k: Float32Array, vT: Float32Array, scores: Float32Array, shape: DecodeAttentionShape): void {
  const { keys, heads, headDim, keyHeadStride, valueHeadStride, valueRowStride } = shape;
  for (const [name, value] of [['keys', keys], ['heads', heads], ['headDim', headDim]] as const) {
    checkCount('decodeAttention', name, value);
    if (value === 0) throw new Error(`decodeAttention: ${name} must be at least 1`);
  }
  if (headDim % 4 !== 0) throw new Error(`decodeAttention: headDim ${headDim} is not a multiple of 4; use the strided products (gemm) instead`);
  if (keyHeadStride < keys * headDim || valueRowStride < keys || valueHeadStride < 0) throw new Error('decodeAttention: a stride is smaller than the keys it spans');
  const scale = shape.scale ?? 1 / Math.sqrt(headDim);
  const width = heads * headDim;
  checkViews(arena, 'decodeAttention', [
    ['out', out, width], ['q', q, width],
    ['k', k, (heads - 1) * keyHeadStride + keys * headDim],
    ['vT', vT, (heads - 1) * valueHeadStride + (headDim - 1) * valueRowStride + keys],
    ['scores', scores, decodeAttentionScratchFloats(keys)],
  ]);
  arena.elementwise.decodeAttention(q.byteOffset, k.byteOffset, vT.byteOffset, out.byteOffset, scores.byteOffset, keys, heads, headDim, 4 * keyHeadStride, 4 * valueHeadStride, 4 * valueRowStride, scale);
}
