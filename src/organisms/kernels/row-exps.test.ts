import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KernelArena } from './arena.js';
import { rowExps } from './row-exps.js';
import { fillUniform, seededUniform } from './test-support.js';

const SHAPES: [number, number][] = [[1, 1], [3, 3], [13, 17], [17, 13], [5, 129], [2, 1264], [4, 2]];

test('rowExps gives each row its maximum, e^(x − max) in float64 within 2 units in the last place of Math.exp, and their sum', () => {
  const uniform = seededUniform(31);
  const arena = new KernelArena(4 * 17 * 1264 * 4);
  let worst = 0;
  for (const [rows, cols] of SHAPES) {
    const mark = arena.mark();
    const x = arena.alloc(rows * cols);
    fillUniform(x, uniform, -40, 30);
    const exps = arena.allocF64(rows * cols);
    const stats = arena.allocF64(2 * rows);
    rowExps(arena, exps, stats, x, rows, cols);
    for (let i = 0; i < rows; i++) {
      const row = x.subarray(i * cols, (i + 1) * cols);
      const max = Math.max(...row);
      assert.equal(stats[2 * i], max, `${rows}x${cols} row ${i}: maximum`);
      let sum = 0;
      for (let j = 0; j < cols; j++) {
        const expected = Math.exp((row[j] as number) - max);
        const got = exps[i * cols + j] as number;
        const ulps = Math.abs(got - expected) / (Number.EPSILON * expected);
        worst = Math.max(worst, ulps);
        if (!(ulps <= 2)) assert.fail(`${rows}x${cols} [${i}, ${j}]: e^${(row[j] as number) - max} = ${got}, Math.exp ${expected} (${ulps.toFixed(1)} ulp)`);
        sum += expected;
      }
      assert.ok(Math.abs((stats[2 * i + 1] as number) - sum) <= 4 * cols * Number.EPSILON * sum, `${rows}x${cols} row ${i}: sum ${stats[2 * i + 1]} vs ${sum}`);
    }
    arena.release(mark);
  }
  assert.ok(worst <= 2, `worst ${worst} ulp`);
});

test('rowExps: the maximum gets exactly 1, entries more than 708 below it get 0, and the full range of the exponent comes out', () => {
  const arena = new KernelArena(256);
  const x = arena.alloc(5);
  x.set([0, -800, -704.5, -1e-30, 3]);
  const exps = arena.allocF64(5);
  const stats = arena.allocF64(2);
  rowExps(arena, exps, stats, x, 1, 5);
  assert.deepEqual([stats[0], exps[4], exps[1]], [3, 1, 0]);
  assert.ok(Math.abs((exps[2] as number) / Math.exp(-707.5) - 1) < 1e-15);
  assert.ok(Math.abs((exps[3] as number) / Math.exp(-3) - 1) < 1e-15);
});

test('rowExps checks its views', () => {
  const arena = new KernelArena(256);
  const x = arena.alloc(8);
  const exps = arena.allocF64(4);
  assert.throws(() => rowExps(arena, exps, arena.allocF64(4), x, 2, 4), /rowExps: exps has 4 doubles, the shapes need 8/);
  assert.throws(() => rowExps(arena, arena.allocF64(8), new Float64Array(4), x, 2, 4), /rowExps: stats is not a view of this arena/);
});
