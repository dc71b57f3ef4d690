import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arenaFloats, KernelArena } from './arena.js';
import type { GemmOptions } from './gemm.js';
import { relaxedSimdAvailable, type SimdMode } from './simd.js';
import { gemmReference } from './reference.js';
import { abs, assertClose, fillUniform, seededUniform } from './test-support.js';

const EDGES = [1, 3, 13, 17, 129];
const LAYOUTS: GemmOptions[] = [{}, { aT: true }, { bT: true }, { aT: true, bT: true }];

function randomShapes(count: number, uniform: (lo: number, hi: number) => number): [number, number, number][] {
  const pick = (): number => (uniform(0, 1) < 0.5 ? (EDGES[Math.floor(uniform(0, EDGES.length))] as number) : 1 + Math.floor(uniform(0, 70)));
  const shapes: [number, number, number][] = [[2, 16, 1], [4, 16, 7], [64, 256, 20], [1, 1, 1]];
  for (let i = 0; i < count; i++) shapes.push([pick(), pick(), pick()]);
  return shapes;
}

function check(arena: KernelArena, m: number, n: number, k: number, options: GemmOptions, uniform: (lo: number, hi: number) => number): void {
  const mark = arena.mark();
  const a = arena.alloc(m * k);
  const b = arena.alloc(k * n);
  const c = arena.alloc(m * n);
  fillUniform(a, uniform);
  fillUniform(b, uniform);
  fillUniform(c, uniform, 100, 101); // overwrite must ignore it; accumulate must add to it
  const expected = c.slice();
  gemmReference(expected, a, b, m, n, k, options);
  const scale = new Float32Array(m * n);
  gemmReference(scale, abs(a), abs(b), m, n, k, { ...options, accumulate: false });
  arena.gemm(c, a, b, m, n, k, options);
  assertClose(c, expected, `gemm m=${m} n=${n} k=${k} ${JSON.stringify(options)}`, scale);
  arena.release(mark);
}

/** Both SIMD paths where the runtime has relaxed SIMD (Node 20 after its flag is set), else plain only. */
export const SIMD_MODES: SimdMode[] = relaxedSimdAvailable() ? ['plain', 'relaxed'] : ['plain'];

for (const simd of SIMD_MODES) {
  test(`gemm (${simd} SIMD) matches the plain reference in every layout, overwriting or accumulating, on random and edge shapes`, () => {
    const uniform = seededUniform(12);
    const arena = new KernelArena(3 * 129 * 129 + 3 * 16, { simd });
    assert.equal(arena.simd, simd);
    for (const [m, n, k] of randomShapes(40, uniform)) {
      for (const layout of LAYOUTS) {
        for (const accumulate of [false, true]) check(arena, m, n, k, { ...layout, accumulate }, uniform);
      }
    }
  });
}

test('a view at the very end of an arena can be multiplied with ragged k (NT) or ragged n (NN): the vector over-reads stay in memory', () => {
  // B is 16 × 13 = 208 floats, filling its view to the last float; NT reads it as n×k (k = 13),
  // NN as k×n (n = 13). A capacity of exactly one 64 KiB page: without the arena's slack the
  // masked over-read would trap.
  for (const options of [{ bT: true }, {}]) {
    const m = 4, n = options.bT === true ? 16 : 13, k = options.bT === true ? 13 : 16;
    const arena = new KernelArena(16384);
    const c = arena.alloc(m * n);
    const a = arena.alloc(m * k);
    arena.alloc(arena.capacityFloats - arena.usedFloats - 208);
    const b = arena.alloc(208);
    const uniform = seededUniform(3);
    fillUniform(a, uniform);
    fillUniform(b, uniform);
    const expected = new Float32Array(m * n);
    gemmReference(expected, a, b, m, n, k, options);
    arena.gemm(c, a, b, m, n, k, options);
    assert.equal(b.byteOffset / 4 + b.length, arena.capacityFloats);
    assertClose(c, expected, `last view ${JSON.stringify(options)}`);
  }
});

test('gemm with k = 0 zeroes C, or leaves it when accumulating', () => {
  const arena = new KernelArena(64);
  const a = arena.alloc(1);
  const b = arena.alloc(1);
  const c = arena.alloc(6).fill(5);
  arena.gemm(c, a, b, 2, 3, 0, { accumulate: true });
  assert.deepEqual([...c], [5, 5, 5, 5, 5, 5]);
  arena.gemm(c, a, b, 2, 3, 0);
  assert.deepEqual([...c], [0, 0, 0, 0, 0, 0]);
});

test('gemm refuses views of other memory, undersized views and a C that overlaps its inputs', () => {
  const arena = new KernelArena(arenaFloats([16, 16, 16]));
  const a = arena.alloc(16);
  const b = arena.alloc(16);
  assert.throws(() => arena.gemm(new Float32Array(16), a, b, 4, 4, 4), /c is not a view of this arena/);
  const c = arena.alloc(16);
  assert.throws(() => arena.gemm(c, a, b, 4, 8, 4), /b has 16 floats, the shapes need 32/);
  assert.throws(() => arena.gemm(a, a, b, 4, 4, 4), /c overlaps a or b/);
  assert.throws(() => arena.gemm(c, a, b, 4, 4, -1), /k must be a non-negative integer/);
});

test('an arena hands out exactly its capacity, says so when full, and reuses scratch after release', () => {
  const arena = new KernelArena(arenaFloats([10, 20]));
  const first = arena.alloc(10);
  assert.equal(first.byteOffset % 64, 0);
  const mark = arena.mark();
  const scratch = arena.alloc(20);
  assert.equal(scratch.byteOffset % 64, 0);
  assert.throws(() => arena.alloc(1), /do not fit/);
  scratch.fill(7);
  arena.release(mark);
  const again = arena.alloc(20);
  assert.equal(again.byteOffset, scratch.byteOffset);
  assert.equal(again[0], 0, 'a reused view comes back zeroed');
  assert.throws(() => arena.release(mark + 1), /not a mark of this arena/);
  arena.reset();
  assert.equal(arena.usedFloats, 0);
  assert.equal(arena.alloc(32).length, 32);
  assert.ok(arena.owns(first) && !arena.owns(new Float32Array(4)));
});

/** Copies a rows×width matrix out of a view with row stride `ld`. */
function dense(view: Float32Array, rows: number, width: number, ld: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(view.subarray(r * ld, r * ld + width), r * width);
  return out;
}

for (const simd of SIMD_MODES) {
  test(`gemm (${simd} SIMD) reads and writes strided rows (lda, ldb, ldc), as for one head of [tokens, heads, headDim]`, () => {
    const uniform = seededUniform(5);
    const arena = new KernelArena(6 * 140 * 140, { simd });
    for (const [m, n, k] of randomShapes(25, uniform)) {
      for (const layout of LAYOUTS) {
        const mark = arena.mark();
        const [aRows, aWidth] = layout.aT ? [k, m] : [m, k];
        const [bRows, bWidth] = layout.bT ? [n, k] : [k, n];
        const lda = aWidth + Math.floor(uniform(0, 6)), ldb = bWidth + Math.floor(uniform(0, 6)), ldc = n + Math.floor(uniform(0, 6));
        const a = arena.alloc(aRows * lda), b = arena.alloc(bRows * ldb), c = arena.alloc(m * ldc);
        fillUniform(a, uniform);
        fillUniform(b, uniform);
        fillUniform(c, uniform);
        const before = c.slice();
        const expected = dense(c, m, n, ldc);
        const da = dense(a, aRows, aWidth, lda), db = dense(b, bRows, bWidth, ldb);
        gemmReference(expected, da, db, m, n, k, { ...layout, accumulate: true });
        const scale = new Float32Array(m * n);
        gemmReference(scale, abs(da), abs(db), m, n, k, layout);
        arena.gemm(c, a, b, m, n, k, { ...layout, accumulate: true, lda, ldb, ldc });
        const what = `strided m=${m} n=${n} k=${k} ${JSON.stringify({ ...layout, lda, ldb, ldc })}`;
        assertClose(dense(c, m, n, ldc), expected, what, scale);
        for (let i = 0; i < m; i++) for (let j = n; j < ldc; j++) if (i * ldc + j < c.length) assert.equal(c[i * ldc + j], before[i * ldc + j], `${what}: padding at ${i},${j} written`);
        arena.release(mark);
      }
    }
  });
}
