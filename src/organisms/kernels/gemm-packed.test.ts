import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arenaFloats, KernelArena } from './arena.js';
import { gemmPacked, gemmPackedScratchFloats } from './gemm-packed.js';
import { gemmReference } from './reference.js';
import { relaxedSimdAvailable, type SimdMode } from './simd.js';
import { abs, assertClose, fillUniform, seededUniform } from './test-support.js';

// Rows around the 5-row tile and columns around the 8-column strip, k across the 256-step blocks.
const MS = [1, 4, 5, 7, 13, 129];
const NS = [1, 7, 8, 13, 17, 33];
const KS = [1, 3, 256, 300];

const MODES: SimdMode[] = relaxedSimdAvailable() ? ['plain', 'relaxed'] : ['plain'];

for (const simd of MODES) {
  test(`gemmPacked (${simd} SIMD) matches the plain reference and arena.gemm bit for bit, NN and TN, overwriting or accumulating`, () => {
    const uniform = seededUniform(21);
    const most = 129 * 300;
    const arena = new KernelArena(arenaFloats([most, most, 129 * 33, 129 * 33]) + gemmPackedScratchFloats(129), { simd });
    for (const m of MS) for (const n of NS) for (const k of KS) for (const aT of [false, true]) for (const accumulate of [false, true]) {
      const mark = arena.mark();
      const a = arena.alloc(m * k), b = arena.alloc(k * n), c = arena.alloc(m * n), same = arena.alloc(m * n);
      fillUniform(a, uniform);
      fillUniform(b, uniform);
      fillUniform(c, uniform, 100, 101); // overwrite must ignore it; accumulate must add to it
      same.set(c);
      const expected = c.slice();
      gemmReference(expected, a, b, m, n, k, { aT, accumulate });
      const scale = new Float32Array(m * n);
      gemmReference(scale, abs(a), abs(b), m, n, k, { aT });
      gemmPacked(arena, c, a, b, m, n, k, { aT, accumulate });
      const what = `gemmPacked m=${m} n=${n} k=${k} aT=${aT} accumulate=${accumulate}`;
      assertClose(c, expected, what, scale);
      arena.gemm(same, a, b, m, n, k, { aT, accumulate });
      for (let i = 0; i < m * n; i++) if (!Object.is(c[i], same[i])) assert.fail(`${what}: ${c[i]} at ${i}, arena.gemm gives ${same[i]}`);
      arena.release(mark);
    }
  });
}

test('gemmPacked says how much scratch it lacks, refuses a C over A, and gives back the scratch it took', () => {
  const m = 10, n = 8, k = 4;
  const arena = new KernelArena(arenaFloats([m * k, k * n, m * n]) + 16);
  const a = arena.alloc(m * k), b = arena.alloc(k * n), c = arena.alloc(m * n);
  assert.throws(() => gemmPacked(arena, c, a, b, m, n, k), /gemmPacked: needs \d+ free floats of scratch in the arena, 16 are free; add gemmPackedScratchFloats\(m\)/);
  const roomy = new KernelArena(arenaFloats([m * k, k * n, m * n]) + gemmPackedScratchFloats(m));
  const [a2, b2, c2] = [roomy.alloc(m * k).fill(1), roomy.alloc(k * n).fill(2), roomy.alloc(m * n)];
  assert.throws(() => gemmPacked(roomy, c2, c2, b2, m, n, k), /gemmPacked: c overlaps a or b; write the product into a separate view/);
  const used = roomy.usedFloats;
  gemmPacked(roomy, c2, a2, b2, m, n, k);
  assert.equal(roomy.usedFloats, used);
  assert.deepEqual([...new Set(c2)], [8]);
});
