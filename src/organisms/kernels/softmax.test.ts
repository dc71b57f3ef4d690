import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelArena } from './arena.js';
import { softmaxBackwardReference, softmaxReference } from './reference.js';
import { softmaxRows, softmaxRowsBackward } from './softmax.js';
import { assertClose, fillUniform, numericGradient, seededUniform, weightedSum } from './test-support.js';

const SHAPES: [number, number][] = [[1, 1], [3, 3], [13, 17], [17, 13], [5, 129], [129, 129], [2, 300]];

test('softmaxRows matches the float64 reference, plain and causal (square and last-rows), scaled, in place', () => {
  const uniform = seededUniform(21);
  const arena = new KernelArena(4 * 129 * 300);
  for (const [rows, cols] of SHAPES) {
    for (const causal of [false, true]) {
      const mark = arena.mark();
      const x = arena.alloc(rows * cols);
      fillUniform(x, uniform, -8, 8);
      const expected = softmaxReference(x, rows, cols, 0.7, causal);
      const y = arena.alloc(rows * cols);
      softmaxRows(arena, y, x, rows, cols, { scale: 0.7, causal });
      assertClose(y, expected, `softmax ${rows}x${cols} causal=${causal}`);
      softmaxRows(arena, x, x, rows, cols, { scale: 0.7, causal });
      assert.deepEqual(x, y, 'in place gives the same');
      arena.release(mark);
    }
  }
});

test('softmaxRows gives 0 to −∞ scores and an all-zero row when every score is masked', () => {
  const arena = new KernelArena(64);
  const x = arena.alloc(6);
  x.set([0, -Infinity, 0, -Infinity, -Infinity, -Infinity]);
  softmaxRows(arena, x, x, 2, 3);
  assert.deepEqual([...x], [0.5, 0, 0.5, 0, 0, 0]);
});

test('softmaxRowsBackward matches the reference, and the reference matches finite differences', () => {
  const uniform = seededUniform(22);
  const arena = new KernelArena(4 * 129 * 300);
  for (const [rows, cols] of SHAPES) {
    const mark = arena.mark();
    const x = arena.alloc(rows * cols), y = arena.alloc(rows * cols), dy = arena.alloc(rows * cols), dx = arena.alloc(rows * cols);
    fillUniform(x, uniform, -4, 4);
    fillUniform(dy, uniform);
    softmaxRows(arena, y, x, rows, cols, { scale: 0.5, causal: true });
    softmaxRowsBackward(arena, dx, y, dy, rows, cols, { scale: 0.5 });
    assertClose(dx, softmaxBackwardReference(y, dy, rows, cols, 0.5), `softmax backward ${rows}x${cols}`);
    arena.release(mark);
  }
  // The formula itself, against a numeric derivative of the forward pass (small shape: it is slow).
  const [rows, cols] = [4, 6];
  const x = Float64Array.from({ length: rows * cols }, () => uniform(-2, 2));
  const w = Float64Array.from({ length: rows * cols }, () => uniform(-1, 1));
  const y = softmaxReference(x, rows, cols, 0.5, true);
  const numeric = numericGradient((z) => weightedSum(w, softmaxReference(z, rows, cols, 0.5, true)), x);
  const formula = softmaxBackwardReference(y, w, rows, cols, 0.5);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs((numeric[i] as number) - (formula[i] as number)) < 1e-7, `numeric derivative at ${i}`);
});
