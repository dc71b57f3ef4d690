import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelArena } from './arena.js';
import { crossEntropyRows } from './cross-entropy.js';
import { softmaxReference } from './reference.js';
import { assertClose, fillUniform, numericGradient, seededUniform } from './test-support.js';

/** Σ w·−log max(p_t, 1e-30) in float64, the textbook way. */
function lossReference(logits: ArrayLike<number>, targets: Int32Array, weights: Float32Array, rows: number, cols: number): number {
  const p = softmaxReference(logits, rows, cols);
  let loss = 0;
  for (let i = 0; i < rows; i++) loss -= (weights[i] as number) * Math.log(Math.max(p[i * cols + (targets[i] as number)] as number, 1e-30));
  return loss;
}

test('crossEntropyRows matches the float64 loss and its gradient w·(softmax − onehot), with zero weights and an underflowing target', () => {
  const uniform = seededUniform(71);
  const arena = new KernelArena(4 * 40 * 1270);
  for (const [rows, cols] of [[1, 1], [3, 13], [17, 129], [37, 1266]] as const) {
    const mark = arena.mark();
    const logits = arena.alloc(rows * cols), dlogits = arena.alloc(rows * cols);
    fillUniform(logits, uniform, -5, 5);
    const targets = Int32Array.from({ length: rows }, () => Math.floor(uniform(0, cols)));
    const weights = Float32Array.from({ length: rows }, (_, i) => (i % 3 === 1 ? 0 : uniform(0, 1)));
    if (rows > 2 && cols > 1) logits[2 * cols + ((targets[2] as number) + 1) % cols] = 200; // the target's probability underflows
    const expected = lossReference(logits, targets, weights, rows, cols);
    const p = softmaxReference(logits, rows, cols);
    const grad = Array.from(p, (v, at) => {
      const i = Math.floor(at / cols);
      return (weights[i] as number) * (v - (at % cols === targets[i] ? 1 : 0));
    });
    const loss = crossEntropyRows(arena, dlogits, logits, targets, weights, rows, cols);
    assert.ok(Math.abs(loss - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `loss ${rows}x${cols}: ${loss} vs ${expected}`);
    assertClose(dlogits, grad, `gradient ${rows}x${cols}`);
    const used = arena.usedFloats;
    assert.equal(crossEntropyRows(arena, logits, logits, targets, weights, rows, cols), loss, 'in place gives the same loss');
    assert.equal(arena.usedFloats, used, 'scratch given back');
    arena.release(mark);
  }
  // The gradient formula against a numeric derivative of the reference loss (no floor involved).
  const [rows, cols] = [3, 5];
  const logits = arena.alloc(rows * cols), dlogits = arena.alloc(rows * cols);
  fillUniform(logits, uniform, -2, 2);
  const targets = Int32Array.from([4, 0, 2]), weights = Float32Array.from([0.5, 0.25, 1]);
  crossEntropyRows(arena, dlogits, logits, targets, weights, rows, cols);
  assertClose(dlogits, numericGradient((z) => lossReference(z, targets, weights, rows, cols), logits), 'numeric gradient');
});

test('crossEntropyRows names a target outside the vocabulary', () => {
  const arena = new KernelArena(64);
  const logits = arena.alloc(6);
  assert.throws(() => crossEntropyRows(arena, logits, logits, Int32Array.from([0, 3]), Float32Array.from([1, 1]), 2, 3), /target 3 of row 1 is outside 0..2/);
});
