import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelArena } from './arena.js';
import { attentionBackward, attentionForward, attentionProbsFloats, attentionScratchFloats, type AttentionShape } from './attention.js';
import { attentionReference } from './reference.js';
import { relaxedSimdAvailable, type SimdMode } from './simd.js';
import { assertClose, fillUniform, numericGradient, seededUniform, weightedSum } from './test-support.js';

const MODES: SimdMode[] = relaxedSimdAvailable() ? ['plain', 'relaxed'] : ['plain'];

function setup(arena: KernelArena, shape: AttentionShape, uniform: (lo: number, hi: number) => number): Record<'q' | 'k' | 'v' | 'o' | 'probs', Float32Array> {
  const size = shape.lengths.reduce((a, b) => a + b, 0) * shape.heads * shape.headDim;
  const views = { q: arena.alloc(size), k: arena.alloc(size), v: arena.alloc(size), o: arena.alloc(size), probs: arena.alloc(attentionProbsFloats(shape)) };
  for (const x of [views.q, views.k, views.v]) fillUniform(x, uniform, -1.5, 1.5);
  return views;
}

for (const simd of MODES) {
  test(`attentionForward (${simd} SIMD) matches the textbook loops on sequences of 1, 3, 13, 17 and 129 tokens (several query blocks)`, () => {
    const uniform = seededUniform(51);
    const arena = new KernelArena(1 << 20, { simd });
    for (const [heads, headDim] of [[2, 8], [3, 13], [1, 32]] as const) {
      const shape: AttentionShape = { lengths: [1, 3, 13, 17, 129], heads, headDim };
      const mark = arena.mark();
      const { q, k, v, o, probs } = setup(arena, shape, uniform);
      attentionForward(arena, o, probs, q, k, v, shape);
      assertClose(o, attentionReference(q, k, v, shape.lengths, heads, headDim), `attention ${heads}x${headDim}`);
      // Each row of probabilities sums to 1 over the keys it may see, and is 0 above the diagonal.
      const L = 129, base = attentionProbsFloats({ lengths: [1, 3, 13, 17], heads });
      for (const i of [0, 63, 64, 128]) {
        const row = probs.subarray(base + i * L, base + (i + 1) * L);
        assert.ok(Math.abs(row.reduce((s, p) => s + p, 0) - 1) < 1e-5 && row.subarray(i + 1).every((p) => p === 0), `probs row ${i}`);
      }
      arena.release(mark);
    }
  });

  test(`attentionBackward (${simd} SIMD) matches finite differences of the reference for q, k and v, across query blocks`, () => {
    const uniform = seededUniform(52);
    const arena = new KernelArena(1 << 18, { simd });
    const shape: AttentionShape = { lengths: [3, 1, 66], heads: 2, headDim: 3, scale: 0.8 };
    const { q, k, v, o, probs } = setup(arena, shape, uniform);
    const size = q.length;
    const dO = arena.alloc(size), dq = arena.alloc(size), dk = arena.alloc(size), dv = arena.alloc(size);
    fillUniform(dO, uniform);
    for (const d of [dq, dk, dv]) d.fill(9); // overwritten, not added to
    attentionForward(arena, o, probs, q, k, v, shape);
    const used = arena.usedFloats;
    attentionBackward(arena, dq, dk, dv, dO, probs, q, k, v, shape);
    assert.equal(arena.usedFloats, used, 'scratch given back');
    const ref = (qq: ArrayLike<number>, kk: ArrayLike<number>, vv: ArrayLike<number>): number =>
      weightedSum(dO, attentionReference(qq, kk, vv, shape.lengths, shape.heads, shape.headDim, shape.scale));
    assertClose(dq, numericGradient((x) => ref(x, k, v), q), 'dq');
    assertClose(dk, numericGradient((x) => ref(q, x, v), k), 'dk');
    assertClose(dv, numericGradient((x) => ref(q, k, x), v), 'dv');
  });
}

test('attentionBackward says how much scratch it needs when the arena is full', () => {
  const shape: AttentionShape = { lengths: [100], heads: 1, headDim: 4 };
  const size = 400;
  const arena = new KernelArena(8 * size + attentionProbsFloats(shape) + 64);
  const [q, k, v, o, dO, dq, dk, dv] = Array.from({ length: 8 }, () => arena.alloc(size)) as Float32Array[] as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const probs = arena.alloc(attentionProbsFloats(shape));
  attentionForward(arena, o, probs, q, k, v, shape);
  assert.ok(attentionScratchFloats(shape) > arena.capacityFloats - arena.usedFloats);
  assert.throws(() => attentionBackward(arena, dq, dk, dv, dO, probs, q, k, v, shape), /attentionBackward: needs \d+ free floats of scratch/);
});
