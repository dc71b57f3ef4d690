import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KernelArena } from './arena.js';

test('every view comes zeroed: fresh memory, memory handed out again after release or reset, and views straddling both', () => {
  const arena = new KernelArena(256);
  const a = arena.alloc(40);
  assert.ok(a.every((v) => v === 0));
  a.fill(7);
  const mark = arena.mark();
  arena.alloc(20).fill(8);
  arena.release(mark);
  const b = arena.alloc(50); // over the 20 used and 30 never used
  assert.ok(b.every((v) => v === 0), 'after release');
  b.fill(9);
  arena.reset();
  const c = arena.alloc(200);
  assert.ok(c.every((v) => v === 0), 'after reset');
  assert.equal(arena.allocF64(4).every((v) => v === 0), true, 'float64 views too');
});
