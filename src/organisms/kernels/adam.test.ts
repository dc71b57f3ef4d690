import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adamStep } from './adam.js';
import { arenaFloats, KernelArena } from './arena.js';
import { adamReference } from './reference.js';
import { fillUniform, seededUniform } from './test-support.js';

const SETTINGS = { lr: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

test('adamStep equals the float64 loop bit for bit over many steps, on lengths around its 4-wide passes', () => {
  const uniform = seededUniform(5);
  for (const n of [1, 3, 4, 5, 13, 129, 1000]) {
    const arena = new KernelArena(arenaFloats([n, n, n, n]));
    const [params, grads, m, v] = [arena.alloc(n), arena.alloc(n), arena.alloc(n), arena.alloc(n)];
    fillUniform(params, uniform);
    const expected = { params: params.slice(), m: new Float32Array(n), v: new Float32Array(n) };
    for (let t = 1; t <= 30; t++) {
      // Gradients over many magnitudes, zeros included, so sqrt(v) and eps both matter.
      for (let i = 0; i < n; i++) grads[i] = i % 7 === 0 ? 0 : uniform(-1, 1) * 10 ** Math.floor(uniform(-9, 2));
      adamStep(arena, params, grads, m, v, n, t, SETTINGS);
      adamReference(expected.params, grads, expected.m, expected.v, t, SETTINGS);
      for (const [name, got, want] of [['params', params, expected.params], ['m', m, expected.m], ['v', v, expected.v]] as const) {
        for (let i = 0; i < n; i++) if (!Object.is(got[i], want[i])) assert.fail(`n=${n} step ${t}: ${name}[${i}] is ${got[i]}, the loop gives ${want[i]}`);
      }
    }
  }
});

test('adamStep names a foreign or short view and a bad step number', () => {
  const arena = new KernelArena(64);
  const [p, g, m] = [arena.alloc(8), arena.alloc(8), arena.alloc(8)];
  assert.throws(() => adamStep(arena, p, g, m, new Float32Array(8), 8, 1, SETTINGS), /adamStep: v is not a view of this arena/);
  assert.throws(() => adamStep(arena, p, g, m, arena.alloc(4), 8, 1, SETTINGS), /adamStep: v has 4 floats, the shapes need 8/);
  assert.throws(() => adamStep(arena, p, g, m, m, 8, 0, SETTINGS), /adamStep: the step number t must be a positive integer, got 0/);
});
