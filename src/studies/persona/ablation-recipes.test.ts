import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interventionHook } from '../../organisms/model/index.js';
import { ablationInterventions } from './ablation-recipes.js';

const d = 4;
const e = (i: number, x = 1): Float64Array => Float64Array.from({ length: d }, (_, j) => (j === i ? x : 0));

/** Applies the recipe at layer 0 to a stream of positions whose component on axis 0 is `values` (axis 1: 5). */
function applied(mode: 'cap' | 'mean' | 'zero', values: number[], reference: Float64Array): number[][] {
  const stream = new Float32Array(values.length * d);
  values.forEach((x, t) => {
    stream[t * d] = x;
    stream[t * d + 1] = 5;
  });
  interventionHook(ablationInterventions([[e(0, 2)]], mode, [reference]), d)(0, stream, values.length, values.length);
  return values.map((_, t) => Array.from(stream.subarray(t * d, (t + 1) * d)));
}

test('zero projects the direction out, mean sets it to the reference mean, cap lowers it only where it lies above', () => {
  const reference = Float64Array.from([-1, 9, 9, 9]);
  assert.deepEqual(applied('zero', [-3, 0.5, 4], reference).map((x) => x[0]), [0, 0, 0]);
  assert.deepEqual(applied('mean', [-3, 0.5, 4], reference).map((x) => x[0]), [-1, -1, -1]);
  assert.deepEqual(applied('cap', [-3, 0.5, 4], reference).map((x) => x[0]), [-3, -1, -1]);
  // The reference's other components and the stream's other axes play no part.
  for (const mode of ['zero', 'mean', 'cap'] as const) assert.deepEqual(applied(mode, [-3, 0.5, 4], reference).map((x) => x[1]), [5, 5, 5]);
});

test('a span is orthonormalised per layer and each of its directions is clamped to the reference on it', () => {
  const reference = [Float64Array.from([2, 3, 0, 0]), Float64Array.from([0, 0, 0, 7])];
  const steps = ablationInterventions([[e(0), e(0, 3), e(1)], [e(3, -2)]], 'cap', reference);
  // Layer 0: the span of axes 0 and 1 (the repeated axis adds nothing); layer 1: axis 3, whose unit vector points along -3.
  assert.deepEqual(steps.map((s) => [s.layer, 'clamp' in s ? s.to : null]), [[0, 2], [0, 3], [1, -7]]);
  assert.ok(steps.every((s) => 'clamp' in s && s.mode === 'cap'));
  assert.throws(() => ablationInterventions([[e(0)], [e(1)]], 'mean', [reference[0]!]), /reference mean is needed for each of 2 layers, got 1/);
  assert.deepEqual(ablationInterventions([[e(0)]], 'zero', []).map((s) => 'ablate' in s), [true]);
});
