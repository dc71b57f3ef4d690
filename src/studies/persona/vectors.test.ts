import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dot, norm, orthonormalBasis } from './vectors.js';

test('orthonormalBasis spans the vectors with orthogonal unit vectors, the first along the first, and drops a dependent one', () => {
  const a = [3, 0, 4];
  const b = [1, 1, 0];
  const basis = orthonormalBasis([a, b, [a[0]! + 2 * b[0]!, a[1]! + 2 * b[1]!, a[2]! + 2 * b[2]!]]);
  assert.equal(basis.length, 2);
  for (const u of basis) assert.ok(Math.abs(norm(u) - 1) < 1e-12);
  assert.ok(Math.abs(dot(basis[0]!, basis[1]!)) < 1e-12);
  assert.deepEqual([...basis[0]!].map((x) => Math.round(x * 1e12) / 1e12), [0.6, 0, 0.8]);
  // b lies in the span: its part outside the first vector is the second.
  const rest = b.map((x, i) => x - dot(b, basis[0]!) * basis[0]![i]!);
  assert.ok(Math.abs(dot(rest, basis[1]!) - norm(rest)) < 1e-12);
  assert.deepEqual(orthonormalBasis([[0, 0, 0]]), []);
});
