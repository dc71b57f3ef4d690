import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KernelArena } from './arena.js';
import { decodeAttention, decodeAttentionScratchFloats } from './decode-attention.js';
import { relaxedSimdAvailable, type SimdMode } from './simd.js';
import { assertClose, fillUniform, seededUniform } from './test-support.js';

const MODES: SimdMode[] = relaxedSimdAvailable() ? ['plain', 'relaxed'] : ['plain'];

/** float64: per head, softmax(scale·q·kᵀ) over the first `keys` positions, times the values (both [head, position, headDim]). */
function reference(q: Float32Array, k: Float32Array, v: Float32Array, keys: number, heads: number, hd: number, ctx: number, scale: number): number[] {
  const out: number[] = [];
  for (let h = 0; h < heads; h++) {
    const s = Array.from({ length: keys }, (_, j) => {
      let dot = 0;
      for (let c = 0; c < hd; c++) dot += (q[h * hd + c] as number) * (k[h * ctx * hd + j * hd + c] as number);
      return scale * dot;
    });
    const max = Math.max(...s);
    const e = s.map((x) => Math.exp(x - max));
    const sum = e.reduce((a, b) => a + b, 0);
    for (let i = 0; i < hd; i++) {
      let acc = 0;
      for (let j = 0; j < keys; j++) acc += ((e[j] as number) / sum) * (v[h * ctx * hd + j * hd + i] as number);
      out.push(acc);
    }
  }
  return out;
}

test('decodeAttention matches the float64 reference for rows of different lengths over a cache with NaN past their keys, in both SIMD modes', () => {
  const uniform = seededUniform(71);
  const keyCounts = [1, 3, 13, 17, 129];
  for (const simd of MODES) {
    const arena = new KernelArena(1 << 21, { simd });
    for (const [heads, hd] of [[1, 4], [3, 16], [4, 32]] as const) {
      const ctx = 136, slot = heads * ctx * hd, rows = keyCounts.length;
      const mark = arena.mark();
      const q = arena.alloc(rows * heads * hd), out = arena.alloc(rows * heads * hd);
      // Row r reads slot rows − 1 − r: offsets need not follow the row order.
      const k = arena.alloc(rows * slot), v = arena.alloc(rows * slot);
      const scores = arena.alloc(decodeAttentionScratchFloats(Math.max(...keyCounts)));
      for (const view of [q, k, v]) fillUniform(view, uniform, -2, 2);
      const offsets = keyCounts.map((_, r) => (rows - 1 - r) * slot);
      // What lies past a row's keys (another sequence's, or nothing finite) must not leak in.
      keyCounts.forEach((keys, r) => {
        for (let h = 0; h < heads; h++) for (const cache of [k, v]) cache.fill(Number.NaN, (offsets[r] as number) + (h * ctx + keys) * hd, (offsets[r] as number) + (h + 1) * ctx * hd);
      });
      scores.fill(Number.NaN);
      decodeAttention(arena, out, q, k, v, scores, { keys: keyCounts, keyOffsets: offsets, valueOffsets: offsets, heads, headDim: hd, keyHeadStride: ctx * hd, valueHeadStride: ctx * hd, scale: 0.3 });
      keyCounts.forEach((keys, r) => {
        const at = (view: Float32Array, from: number, length: number): Float32Array => view.subarray(from, from + length);
        const expected = reference(at(q, r * heads * hd, heads * hd), at(k, offsets[r] as number, slot), at(v, offsets[r] as number, slot), keys, heads, hd, ctx, 0.3);
        assertClose(at(out, r * heads * hd, heads * hd), expected, `${simd} heads ${heads} hd ${hd} keys ${keys}`);
      });
      arena.release(mark);
    }
  }
});

test('decodeAttention names a head size it cannot run and a view that is too short', () => {
  const arena = new KernelArena(4096);
  const x = arena.alloc(64), s = arena.alloc(8);
  const shape = { keyOffsets: [0], valueOffsets: [0], heads: 1 };
  assert.throws(() => decodeAttention(arena, x, x, x, x, s, { ...shape, keys: [2], headDim: 6, keyHeadStride: 12, valueHeadStride: 12 }), /headDim 6 is not a multiple of 4/);
  assert.throws(() => decodeAttention(arena, x, x, x, x, s, { ...shape, keys: [20], headDim: 4, keyHeadStride: 80, valueHeadStride: 80 }), /decodeAttention: k has 64 floats, the shapes need 80/);
});
