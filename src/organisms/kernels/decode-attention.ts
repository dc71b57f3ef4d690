/**
 * Attention of one new token per row over its sequence's key/value cache (decoding), all heads of
 * a row in one wasm call (decode-attention-kernel.ts). The cache layout is the inference session's:
 * keys and values [head, position, headDim].
 */
import type { KernelArena } from './arena.js';
import { checkCount, checkViews } from './views.js';

export interface DecodeAttentionShape {
  /** Per row: the cached positions its query sees (its own included), each ≥ 1. */
  keys: readonly number[];
  /** Per row: where its sequence's keys start in `k` and its values in `v` (floats). */
  keyOffsets: readonly number[];
  valueOffsets: readonly number[];
  heads: number;
  /** A multiple of 4. */
  headDim: number;
  /** Floats from one head's keys to the next's in `k` (≥ keys·headDim). */
  keyHeadStride: number;
  /** Floats from one head's values to the next's in `v` (≥ keys·headDim). */
  valueHeadStride: number;
  /** Default 1/√headDim. */
  scale?: number;
  /**
   * Rows whose first positions are held once for several rows (a prompt many completions continue):
   * row r reads its first `lengths[r]` positions (a multiple of 4, less than keys[r]) at
   * k[keyOffsets[r]] and v[valueOffsets[r]] (the same layout), the rest at its own offsets, at
   * their own positions. The same result, bit for bit, as holding them all in its own place.
   */
  prefix?: { lengths: readonly number[]; keyOffsets: readonly number[]; valueOffsets: readonly number[] };
}

/** Floats of scratch decodeAttention needs for up to `keys` positions. */
export function decodeAttentionScratchFloats(keys: number): number {
  return Math.ceil(keys / 4) * 4;
}

/**
 * For each row r and head h: out[r, h·headDim + i] = Σ_j softmax_j(scale·q_{r,h}·k_{r,h,j})·v_{r,h,j,i}:
 * q and out are [rows, heads·headDim], row r's keys start at k[keyOffsets[r]] and its values at
 * v[valueOffsets[r]]. Checked once for all rows, then one wasm call per row. `scores`: scratch of
 * decodeAttentionScratchFloats(max keys) floats. out must not overlap the others.
 */
export function decodeAttention(arena: KernelArena, out: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, scores: Float32Array, shape: DecodeAttentionShape): void {
  const { keys, keyOffsets, valueOffsets, heads, headDim, keyHeadStride, valueHeadStride, prefix } = shape;
  const rows = keys.length;
  if (keyOffsets.length !== rows || valueOffsets.length !== rows) throw new Error(`decodeAttention: ${rows} rows of keys but ${keyOffsets.length} key offsets and ${valueOffsets.length} value offsets`);
  if (prefix !== undefined && (prefix.lengths.length !== rows || prefix.keyOffsets.length !== rows || prefix.valueOffsets.length !== rows)) {
    throw new Error(`decodeAttention: ${rows} rows of keys but ${prefix.lengths.length} prefix lengths, ${prefix.keyOffsets.length} prefix key offsets and ${prefix.valueOffsets.length} prefix value offsets`);
  }
  for (const [name, value] of [['heads', heads], ['headDim', headDim]] as const) {
    checkCount('decodeAttention', name, value);
    if (value === 0) throw new Error(`decodeAttention: ${name} must be at least 1`);
  }
  if (headDim % 4 !== 0) throw new Error(`decodeAttention: headDim ${headDim} is not a multiple of 4; use the strided products (gemm) instead`);
  let kEnd = 0, vEnd = 0, most = 0;
  for (let r = 0; r < rows; r++) {
    const n = keys[r] as number, ko = keyOffsets[r] as number, vo = valueOffsets[r] as number;
    if (!(Number.isSafeInteger(n) && n >= 1 && Number.isSafeInteger(ko) && ko >= 0 && Number.isSafeInteger(vo) && vo >= 0)) throw new Error(`decodeAttention: row ${r} has keys ${n}, offsets ${ko} and ${vo}; keys must be ≥ 1 and offsets non-negative integers`);
    if (keyHeadStride < n * headDim || valueHeadStride < n * headDim) throw new Error(`decodeAttention: row ${r}'s ${n} keys do not fit the strides`);
    kEnd = Math.max(kEnd, ko + (heads - 1) * keyHeadStride + n * headDim);
    vEnd = Math.max(vEnd, vo + (heads - 1) * valueHeadStride + n * headDim);
    if (prefix !== undefined) {
      const p = prefix.lengths[r] as number, pk = prefix.keyOffsets[r] as number, pv = prefix.valueOffsets[r] as number;
      if (!(Number.isSafeInteger(p) && p >= 0 && p % 4 === 0 && p < n && Number.isSafeInteger(pk) && pk >= 0 && Number.isSafeInteger(pv) && pv >= 0)) {
        throw new Error(`decodeAttention: row ${r} has a prefix of ${p} positions at ${pk} and ${pv}; it must be a multiple of 4 below its ${n} keys, at non-negative offsets`);
      }
      kEnd = Math.max(kEnd, pk + (heads - 1) * keyHeadStride + p * headDim);
      vEnd = Math.max(vEnd, pv + (heads - 1) * valueHeadStride + p * headDim);
    }
    most = Math.max(most, n);
  }
  const scale = shape.scale ?? 1 / Math.sqrt(headDim);
  const width = heads * headDim;
  checkViews(arena, 'decodeAttention', [
    ['out', out, rows * width], ['q', q, rows * width], ['k', k, kEnd], ['v', v, vEnd], ['scores', scores, decodeAttentionScratchFloats(most)],
  ]);
  const run = arena.elementwise.decodeAttention;
  for (let r = 0; r < rows; r++) {
    const ko = keyOffsets[r] as number, vo = valueOffsets[r] as number;
    // With a prefix the kernel starts there and moves by the difference to the row's own place.
    const p = prefix?.lengths[r] ?? 0;
    const pk = p > 0 ? (prefix?.keyOffsets[r] as number) : ko, pv = p > 0 ? (prefix?.valueOffsets[r] as number) : vo;
    run(q.byteOffset + 4 * r * width, k.byteOffset + 4 * pk, v.byteOffset + 4 * pv, out.byteOffset + 4 * r * width,
      scores.byteOffset, keys[r] as number, heads, headDim, 4 * keyHeadStride, 4 * valueHeadStride, scale, p / 4, 4 * (ko - pk), 4 * (vo - pv));
  }
}
