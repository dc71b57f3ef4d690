import { test } from 'node:test';
import { KernelArena } from './arena.js';
import { gelu, geluBackward } from './gelu.js';
import { geluReference } from './reference.js';
import { assertClose, fillUniform, seededUniform } from './test-support.js';

test('gelu matches the tanh-form reference, including far tails where e^{2u} overflows, and in place', () => {
  const uniform = seededUniform(41);
  const arena = new KernelArena(3 * 1040);
  for (const n of [1, 3, 13, 17, 129, 1000]) {
    const mark = arena.mark();
    const x = arena.alloc(n), y = arena.alloc(n);
    fillUniform(x, uniform, -6, 6);
    if (n > 3) x.set([-100, 100, -0, 1e-30], 0);
    gelu(arena, y, x, n);
    assertClose(y, Array.from(x, geluReference), `gelu n=${n}`);
    gelu(arena, x, x, n);
    assertClose(x, y, `gelu in place n=${n}`);
    arena.release(mark);
  }
});

test('geluBackward matches a central difference of the reference (dx may be dy)', () => {
  const uniform = seededUniform(42);
  const arena = new KernelArena(4 * 1040);
  for (const n of [1, 3, 13, 129, 1000]) {
    const mark = arena.mark();
    const x = arena.alloc(n), dy = arena.alloc(n), dx = arena.alloc(n);
    fillUniform(x, uniform, -6, 6);
    fillUniform(dy, uniform);
    const h = 1e-5;
    const expected = Array.from(x, (v, i) => (dy[i] as number) * ((geluReference(v + h) - geluReference(v - h)) / (2 * h)));
    geluBackward(arena, dx, dy, x, n);
    assertClose(dx, expected, `gelu backward n=${n}`);
    geluBackward(arena, dy, dy, x, n);
    assertClose(dy, dx, `gelu backward in place n=${n}`);
    arena.release(mark);
  }
});
