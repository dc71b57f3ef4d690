import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KernelArena } from './arena.js';
import { layerNorm, layerNormBackward } from './layer-norm.js';
import { layerNormReference } from './reference.js';
import { assertClose, fillUniform, numericGradient, seededUniform, weightedSum } from './test-support.js';

const SHAPES: [number, number][] = [[1, 1], [3, 3], [13, 17], [17, 128], [129, 13], [2, 129]];

test('layerNorm matches the float64 reference, also in place (y = x)', () => {
  const uniform = seededUniform(31);
  const arena = new KernelArena(6 * 129 * 129);
  for (const [rows, cols] of SHAPES) {
    const mark = arena.mark();
    const x = arena.alloc(rows * cols), gamma = arena.alloc(cols), beta = arena.alloc(cols);
    const y = arena.alloc(rows * cols), mean = arena.alloc(rows), rstd = arena.alloc(rows);
    fillUniform(x, uniform, -3, 5);
    fillUniform(gamma, uniform, 0.5, 1.5);
    fillUniform(beta, uniform);
    layerNorm(arena, y, mean, rstd, x, gamma, beta, rows, cols);
    assertClose(y, layerNormReference(x, gamma, beta, rows, cols), `layerNorm ${rows}x${cols}`);
    layerNorm(arena, x, mean, rstd, x, gamma, beta, rows, cols);
    assertClose(x, y, `layerNorm in place ${rows}x${cols}`);
    arena.release(mark);
  }
});

test('layerNormBackward matches finite differences of the reference for x, gamma and beta, and adds to dgamma/dbeta (dx may be dy)', () => {
  const uniform = seededUniform(32);
  const arena = new KernelArena(8 * 17 * 40);
  for (const [rows, cols] of [[1, 3], [3, 13], [5, 17], [4, 40]] as const) {
    const mark = arena.mark();
    const x = arena.alloc(rows * cols), gamma = arena.alloc(cols), beta = arena.alloc(cols), dy = arena.alloc(rows * cols);
    const y = arena.alloc(rows * cols), mean = arena.alloc(rows), rstd = arena.alloc(rows);
    const dx = arena.alloc(rows * cols), dgamma = arena.alloc(cols), dbeta = arena.alloc(cols);
    fillUniform(x, uniform, -2, 2);
    fillUniform(gamma, uniform, 0.5, 1.5);
    fillUniform(beta, uniform);
    fillUniform(dy, uniform);
    fillUniform(dgamma, uniform);
    fillUniform(dbeta, uniform);
    const dgamma0 = Float64Array.from(dgamma), dbeta0 = Float64Array.from(dbeta);
    layerNorm(arena, y, mean, rstd, x, gamma, beta, rows, cols);
    layerNormBackward(arena, dx, dgamma, dbeta, dy, x, gamma, mean, rstd, rows, cols);
    const what = `${rows}x${cols}`;
    const dyCopy = dy.slice();
    const scratch = arena.alloc(2 * cols);
    layerNormBackward(arena, dy, scratch.subarray(0, cols), scratch.subarray(cols), dy, x, gamma, mean, rstd, rows, cols);
    assertClose(dy, dx, `dx in place (dx = dy) ${what}`);
    dy.set(dyCopy);
    // accumulate: dx is added to (a residual stream's gradient), exactly the sum of the two.
    const acc = arena.alloc(rows * cols);
    fillUniform(acc, uniform);
    const before = acc.slice();
    layerNormBackward(arena, acc, scratch.subarray(0, cols), scratch.subarray(cols), dy, x, gamma, mean, rstd, rows, cols, { accumulate: true });
    assert.deepEqual(acc, before.map((v, i) => Math.fround(v + (dx[i] as number))), `dx accumulated ${what}`);
    assertClose(dx, numericGradient((z) => weightedSum(dy, layerNormReference(z, gamma, beta, rows, cols)), x), `dx ${what}`);
    const ng = numericGradient((g) => weightedSum(dy, layerNormReference(x, g, beta, rows, cols)), gamma);
    assertClose(dgamma, ng.map((v, j) => v + (dgamma0[j] as number)), `dgamma ${what}`);
    const nb = numericGradient((b) => weightedSum(dy, layerNormReference(x, gamma, b, rows, cols)), beta);
    assertClose(dbeta, nb.map((v, j) => v + (dbeta0[j] as number)), `dbeta ${what}`);
    arena.release(mark);
  }
});
