/**
 * Causal multi-head self-attention, forward and backward, for a batch of sequences stored back to
 * back along the token axis: q, k, v and the output are [tokens, heads, headDim] (the layout of
 * x·Wq with heads side by side), so each head is read with a row stride and never copied.
 *
 * Per sequence and head, queries run in blocks of BLOCK rows: a block's queries see only the keys
 * up to its last row, so the products skip most of the masked half of the score matrix.
 */
import type { KernelArena } from './arena.js';
import { softmaxRows, softmaxRowsBackward } from './softmax.js';
import { checkCount, checkViews } from './views.js';

export interface AttentionShape {
  /** Lengths of the sequences, back to back along the token axis (Σ lengths = tokens). */
  lengths: readonly number[];
  heads: number;
  headDim: number;
  /** Scale of the scores q·k; default 1/√headDim. */
  scale?: number;
}

/** Query rows per block (measured: 64 beats 32 and whole sequences at context 256). */
const BLOCK = 64;

/** Floats of the probabilities attentionForward keeps for the backward pass: Σ heads·L². */
export function attentionProbsFloats(shape: Pick<AttentionShape, 'lengths' | 'heads'>): number {
  return shape.lengths.reduce((sum, l) => sum + shape.heads * l * l, 0);
}

/** Free floats attentionBackward needs in the arena for its scratch: BLOCK × the longest sequence. */
export function attentionScratchFloats(shape: Pick<AttentionShape, 'lengths'>): number {
  return BLOCK * Math.max(0, ...shape.lengths) + 16;
}

function checkShape(kernel: string, arena: KernelArena, shape: AttentionShape, views: [string, Float32Array][], probs: Float32Array): number {
  checkCount(kernel, 'heads', shape.heads);
  checkCount(kernel, 'headDim', shape.headDim);
  for (const l of shape.lengths) checkCount(kernel, 'a length', l);
  const tokens = shape.lengths.reduce((a, b) => a + b, 0);
  const size = tokens * shape.heads * shape.headDim;
  checkViews(arena, kernel, [...views.map(([name, view]) => [name, view, size] as const), ['probs', probs, attentionProbsFloats(shape)]]);
  return tokens;
}

/** One (sequence, head): where its rows start in [tokens, heads, headDim] and its probabilities in probs. */
interface Slice {
  base: number;
  length: number;
  probs: number;
}

function* slices({ lengths, heads, headDim }: AttentionShape): Generator<Slice> {
  let token = 0, probs = 0;
  for (const length of lengths) {
    for (let h = 0; h < heads; h++) {
      yield { base: token * heads * headDim + h * headDim, length, probs };
      probs += length * length;
    }
    token += length;
  }
}

/**
 * o = softmax(scale·q·kᵀ, causal)·v per sequence and head. `probs` receives the probabilities
 * (attentionProbsFloats; per sequence and head an L×L row-major block, 0 above the diagonal) for
 * attentionBackward. o must not overlap q, k, v or probs.
 */
export function attentionForward(
  arena: KernelArena, o: Float32Array, probs: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, shape: AttentionShape,
): void {
  checkShape('attentionForward', arena, shape, [['o', o], ['q', q], ['k', k], ['v', v]], probs);
  const { heads, headDim } = shape;
  const scale = shape.scale ?? 1 / Math.sqrt(headDim);
  const stride = heads * headDim;
  for (const { base, length: L, probs: p0 } of slices(shape)) {
    const p = probs.subarray(p0, p0 + L * L);
    const qh = q.subarray(base), kh = k.subarray(base), vh = v.subarray(base), oh = o.subarray(base);
    for (let i0 = 0; i0 < L; i0 += BLOCK) {
      const rows = Math.min(BLOCK, L - i0);
      const keys = i0 + rows;
      const pb = p.subarray(i0 * L);
      arena.gemm(pb, qh.subarray(i0 * stride), kh, rows, keys, headDim, { bT: true, lda: stride, ldb: stride, ldc: L });
      softmaxRows(arena, pb, pb, rows, keys, { scale, causal: true, ld: L });
      for (let r = 0; r < rows; r++) pb.fill(0, r * L + keys, (r + 1) * L);
      arena.gemm(oh.subarray(i0 * stride), pb, vh, rows, headDim, keys, { lda: L, ldb: stride, ldc: stride });
    }
  }
}

/**
 * Gradients of attentionForward given the gradient of its output: dq, dk and dv are overwritten.
 * Needs attentionScratchFloats(shape) free floats in the arena (taken and given back).
 */
export function attentionBackward(
  arena: KernelArena, dq: Float32Array, dk: Float32Array, dv: Float32Array, dO: Float32Array, probs: Float32Array,
  q: Float32Array, k: Float32Array, v: Float32Array, shape: AttentionShape,
): void {
  checkShape('attentionBackward', arena, shape, [['dq', dq], ['dk', dk], ['dv', dv], ['dO', dO], ['q', q], ['k', k], ['v', v]], probs);
  const { heads, headDim } = shape;
  const scale = shape.scale ?? 1 / Math.sqrt(headDim);
  const stride = heads * headDim;
  const need = attentionScratchFloats(shape), free = arena.capacityFloats - arena.usedFloats;
  if (need > free) throw new Error(`attentionBackward: needs ${need} free floats of scratch in the arena, ${free} are free; add attentionScratchFloats(shape) to its capacity`);
  const mark = arena.mark();
  const scratch = arena.alloc(BLOCK * Math.max(0, ...shape.lengths));
  // Every block adds to the keys it sees, so dk and dv start at zero (one fill, not one per token and head).
  const tokens = shape.lengths.reduce((a, b) => a + b, 0);
  dk.fill(0, 0, tokens * stride);
  dv.fill(0, 0, tokens * stride);
  try {
    for (const { base, length: L, probs: p0 } of slices(shape)) {
      const p = probs.subarray(p0, p0 + L * L);
      const qh = q.subarray(base), kh = k.subarray(base), vh = v.subarray(base), dOh = dO.subarray(base);
      const dqh = dq.subarray(base), dkh = dk.subarray(base), dvh = dv.subarray(base);
      for (let i0 = 0; i0 < L; i0 += BLOCK) {
        const rows = Math.min(BLOCK, L - i0);
        const keys = i0 + rows;
        const pb = p.subarray(i0 * L);
        const dOb = dOh.subarray(i0 * stride), qb = qh.subarray(i0 * stride);
        // dv[0:keys] += P_blockᵀ · dO_block
        arena.gemm(dvh, pb, dOb, keys, headDim, rows, { aT: true, accumulate: true, lda: L, ldb: stride, ldc: stride });
        // dP = dO_block · v[0:keys]ᵀ, then dS = scale · P ⊙ (dP − rowsum(dP ⊙ P)), in the scratch (row stride L like P)
        arena.gemm(scratch, dOb, vh, rows, keys, headDim, { bT: true, lda: stride, ldb: stride, ldc: L });
        softmaxRowsBackward(arena, scratch, pb, scratch, rows, keys, { scale, ld: L });
        // dq_block = dS · k[0:keys]; dk[0:keys] += dSᵀ · q_block
        arena.gemm(dqh.subarray(i0 * stride), scratch, kh, rows, headDim, keys, { lda: L, ldb: stride, ldc: stride });
        arena.gemm(dkh, scratch, qb, keys, headDim, rows, { aT: true, accumulate: true, lda: L, ldb: stride, ldc: stride });
      }
    }
  } finally {
    arena.release(mark);
  }
}
