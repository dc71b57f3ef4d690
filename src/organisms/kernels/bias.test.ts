import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelArena } from './arena.js';
import { addBias, columnSums, reluBackward } from './bias.js';
import { assertClose, fillUniform, seededUniform } from './test-support.js';

const SHAPES: [number, number][] = [[1, 1], [3, 3], [13, 17], [17, 13], [129, 129], [2, 256]];

test('addBias adds the bias to every row, with and without a ReLU, and writes nothing past the rows', () => {
  const uniform = seededUniform(61);
  const arena = new KernelArena(4 * 129 * 260);
  for (const [rows, cols] of SHAPES) {
    for (const relu of [false, true]) {
      const mark = arena.mark();
      const y = arena.alloc(rows * cols + 3), bias = arena.alloc(cols);
      fillUniform(y, uniform);
      fillUniform(bias, uniform);
      const expected = Array.from(y.subarray(0, rows * cols), (v, i) => {
        const z = v + (bias[i % cols] as number);
        return relu ? Math.max(0, z) : z;
      });
      const after = y.slice(rows * cols);
      addBias(arena, y, bias, rows, cols, { relu });
      assertClose(y.subarray(0, rows * cols), expected, `addBias ${rows}x${cols} relu=${relu}`);
      assert.deepEqual(y.slice(rows * cols), after, 'floats after the rows untouched');
      arena.release(mark);
    }
  }
});

test('columnSums adds each column sum to what the output holds, without touching floats past it', () => {
  const uniform = seededUniform(62);
  const arena = new KernelArena(4 * 129 * 260);
  for (const [rows, cols] of SHAPES) {
    const mark = arena.mark();
    const x = arena.alloc(rows * cols), sum = arena.alloc(cols + 3);
    fillUniform(x, uniform);
    fillUniform(sum, uniform);
    const expected = Array.from({ length: cols }, (_, j) => {
      let s = sum[j] as number;
      for (let i = 0; i < rows; i++) s += x[i * cols + j] as number;
      return s;
    });
    const after = sum.slice(cols);
    columnSums(arena, sum, x, rows, cols);
    assertClose(sum.subarray(0, cols), expected, `columnSums ${rows}x${cols}`, expected.map(() => rows));
    assert.deepEqual(sum.slice(cols), after);
    arena.release(mark);
  }
});

test('reluBackward passes the gradient where the output is positive and zeroes it elsewhere (dx may be dy)', () => {
  const uniform = seededUniform(63);
  const arena = new KernelArena(4 * 1100);
  for (const n of [1, 3, 13, 17, 129, 1000]) {
    const mark = arena.mark();
    const y = arena.alloc(n), dy = arena.alloc(n), dx = arena.alloc(n);
    fillUniform(y, uniform);
    fillUniform(dy, uniform);
    y[0] = 0; // exactly 0 counts as not positive
    const expected = Array.from(dy, (g, i) => ((y[i] as number) > 0 ? g : 0));
    reluBackward(arena, dx, dy, y, n);
    assert.deepEqual([...dx], expected, `n=${n}`);
    reluBackward(arena, dy, dy, y, n);
    assert.deepEqual([...dy], expected, `in place n=${n}`);
    arena.release(mark);
  }
});
