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

test('decodeAttention with a prefix held once for several rows gives, bit for bit, what each row holding all its positions gives', () => {
  const uniform = seededUniform(72);
  for (const simd of MODES) {
    const arena = new KernelArena(1 << 20, { simd });
    const heads = 3, hd = 16, ctx = 72, slot = heads * ctx * hd;
    // Prefix lengths 0, 4, 8 (all chunks shared but the last keys mod 4), 12 and 16 over rows of 9-40 keys.
    const keyCounts = [9, 5, 9, 13, 40, 17], prefixes = [0, 4, 8, 12, 16, 16], rows = keyCounts.length;
    const q = arena.alloc(rows * heads * hd), whole = arena.alloc(rows * heads * hd), split = arena.alloc(rows * heads * hd);
    const k = arena.alloc((rows + 1) * slot), v = arena.alloc((rows + 1) * slot);
    const scores = arena.alloc(decodeAttentionScratchFloats(40));
    for (const view of [q, k, v]) fillUniform(view, uniform, -2, 2);
    const own = keyCounts.map((_, r) => r * slot);
    const shape = { keys: keyCounts, keyOffsets: own, valueOffsets: own, heads, headDim: hd, keyHeadStride: ctx * hd, valueHeadStride: ctx * hd };
    // The shared place (the last slot) holds each row's prefix positions; the rows' own places hold NaN there.
    const shared = rows * slot;
    decodeAttention(arena, whole, q, k, v, scores, shape);
    keyCounts.forEach((_, r) => {
      for (let h = 0; h < heads; h++) {
        for (const cache of [k, v]) {
          const from = (own[r] as number) + h * ctx * hd;
          cache.copyWithin(shared + h * ctx * hd, from, from + (prefixes[r] as number) * hd);
        }
      }
      const prefix = { lengths: [prefixes[r] as number], keyOffsets: [shared], valueOffsets: [shared] };
      for (let h = 0; h < heads; h++) for (const cache of [k, v]) cache.fill(Number.NaN, (own[r] as number) + h * ctx * hd, (own[r] as number) + (h * ctx + (prefixes[r] as number)) * hd);
      const one = (view: Float32Array): Float32Array => view.subarray(r * heads * hd, (r + 1) * heads * hd);
      decodeAttention(arena, one(split), one(q), k, v, scores, { ...shape, keys: [keyCounts[r] as number], keyOffsets: [own[r] as number], valueOffsets: [own[r] as number], prefix });
      assert.deepEqual(one(split), one(whole), `${simd} row ${r}: ${keyCounts[r]} keys, prefix ${prefixes[r]}`);
    });
  }
});

test('decodeAttention names a head size it cannot run and a view that is too short', () => {
  const arena = new KernelArena(4096);
  const x = arena.alloc(64), s = arena.alloc(8);
  const shape = { keyOffsets: [0], valueOffsets: [0], heads: 1 };
  assert.throws(() => decodeAttention(arena, x, x, x, x, s, { ...shape, keys: [2], headDim: 6, keyHeadStride: 12, valueHeadStride: 12 }), /headDim 6 is not a multiple of 4/);
  assert.throws(() => decodeAttention(arena, x, x, x, x, s, { ...shape, keys: [20], headDim: 4, keyHeadStride: 80, valueHeadStride: 80 }), /decodeAttention: k has 64 floats, the shapes need 80/);
  const prefix = { lengths: [6], keyOffsets: [0], valueOffsets: [0] };
  assert.throws(() => decodeAttention(arena, x, x, x, x, s, { ...shape, keys: [8], headDim: 4, keyHeadStride: 32, valueHeadStride: 32, prefix }), /row 0 has a prefix of 6 positions at 0 and 0; it must be a multiple of 4 below its 8 keys/);
});
