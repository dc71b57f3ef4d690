import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arenaFloats, KernelArena } from '../../organisms/kernels/index.js';
import { Adam } from './adam.js';

function adamOver(values: number[], settings = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 }): { adam: Adam; params: Float32Array; grads: Float32Array } {
  const n = values.length;
  const arena = new KernelArena(arenaFloats([n, n, ...Adam.arenaLengths(n)]));
  const params = arena.alloc(n);
  params.set(values);
  const grads = arena.alloc(n);
  return { adam: new Adam(arena, params, grads, settings), params, grads };
}

test('two Adam steps match the update computed by hand from the formulas', () => {
  const { adam, params, grads } = adamOver([0.5, -1.0]);
  grads.set([0.2, -0.4]);
  adam.step();
  // Step 1: m = 0.1 g, v = 0.001 g², m̂ = g, v̂ = g², so θ moves by lr·g/(|g| + eps) ≈ lr·sign(g).
  assert.ok(Math.abs((params[0] as number) - (0.5 - 0.1 * (0.2 / (0.2 + 1e-8)))) < 1e-7);
  assert.ok(Math.abs((params[1] as number) - (-1.0 + 0.1 * (0.4 / (0.4 + 1e-8)))) < 1e-7);
  // Step 2 with a new gradient 0.1 on the first parameter:
  // m = 0.9·0.02 + 0.1·0.1 = 0.028, v = 0.999·4e-5 + 0.001·0.01 = 4.996e-5,
  // θ -= (0.1/(1−0.81))·0.028 / (√4.996e-5 / √(1−0.998001) + 1e-8).
  grads[0] = 0.1;
  grads[1] = 0;
  const before = params[0] as number;
  adam.step();
  const expected = before - ((0.1 / 0.19) * 0.028) / (Math.sqrt(4.996e-5) / Math.sqrt(1 - 0.999 ** 2) + 1e-8);
  assert.ok(Math.abs((params[0] as number) - expected) < 1e-6, `${params[0]} vs ${expected}`);
  assert.equal(adam.steps, 2);
});

test('after reset, Adam takes the same steps as a fresh optimiser', () => {
  const run = (adam: Adam, params: Float32Array, grads: Float32Array): number[] => {
    params.set([0.5, -1, 2, 0.25, 3]);
    for (let t = 0; t < 3; t++) {
      grads.set([0.2 - t, 0.1, -0.3 * t, 0, 1]);
      adam.step();
    }
    return [...params];
  };
  const { adam, params, grads } = adamOver([0, 0, 0, 0, 0]);
  const first = run(adam, params, grads);
  adam.reset();
  assert.equal(adam.steps, 0);
  assert.deepEqual(run(adam, params, grads), first);
});

test('Adam refuses parameter and gradient arrays of different lengths', () => {
  const arena = new KernelArena(64);
  assert.throws(() => new Adam(arena, arena.alloc(3), arena.alloc(2)), /3 parameters but 2 gradients/);
});
