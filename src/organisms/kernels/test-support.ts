/** Helpers shared by the kernel tests: seeded random fills and a relative comparison. */
import assert from 'node:assert/strict';

/** A small seeded generator (mulberry32), so the kernel tests need nothing from above this folder. */
export function seededUniform(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return lo + (hi - lo) * u;
  };
}

export function fillUniform(view: Float32Array, uniform: (lo: number, hi: number) => number, lo = -1, hi = 1): void {
  for (let i = 0; i < view.length; i++) view[i] = uniform(lo, hi);
}

/**
 * Asserts |actual − expected| ≤ 1e-5 · max(1, |expected|, scale) elementwise. `scale` (per element)
 * is the sum of the magnitudes of the terms a result adds up, e.g. Σ|a||b| for a product, so
 * cancellation in a long sum is held to float32 rounding of its terms, not of its small result.
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, scale?: ArrayLike<number>): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const d = Math.abs((actual[i] as number) - e);
    const size = Math.max(1, Math.abs(e), scale === undefined ? 0 : (scale[i] as number));
    if (!(d <= 1e-5 * size)) assert.fail(`${what} at ${i}: ${actual[i]} vs ${e} (tolerance ${1e-5 * size})`);
  }
}

/** Elementwise |x|. */
export function abs(x: Float32Array): Float32Array {
  return x.map(Math.abs);
}

/** ∂f/∂x by central differences in float64 (step 1e-5): the reference for every backward kernel. */
export function numericGradient(f: (x: Float64Array) => number, at: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(at);
  const grad = new Float64Array(x.length);
  const h = 1e-5;
  for (let i = 0; i < x.length; i++) {
    const keep = x[i] as number;
    x[i] = keep + h;
    const up = f(x);
    x[i] = keep - h;
    const down = f(x);
    x[i] = keep;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

/** Σ w ⊙ y: a scalar loss whose gradient with respect to y is w. */
export function weightedSum(w: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (w[i] as number) * (y[i] as number);
  return s;
}
