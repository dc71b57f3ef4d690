/** Small dense vector arithmetic for directions in the residual stream (float64, dModel values). */

export type Vec = Float64Array;

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** Cosine of the angle between two vectors; NaN when either is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = norm(a) * norm(b);
  return n > 0 ? dot(a, b) / n : Number.NaN;
}

export function unit(a: ArrayLike<number>): Vec {
  const n = norm(a);
  return Float64Array.from(a, (x) => (n > 0 ? x / n : 0));
}

export function scaled(a: ArrayLike<number>, s: number): Vec {
  return Float64Array.from(a, (x) => x * s);
}

export function difference(a: ArrayLike<number>, b: ArrayLike<number>): Vec {
  return Float64Array.from(a, (x, i) => x - (b[i] as number));
}

/** Element-wise mean of equal-length vectors (null for none). */
export function meanVector(vectors: readonly ArrayLike<number>[]): Vec | null {
  const first = vectors[0];
  if (first === undefined) return null;
  const out = new Float64Array(first.length);
  for (const v of vectors) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (v[i] as number);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / vectors.length;
  return out;
}

/** A uniformly random unit vector (Gaussian draws normalised) from `next` uniforms in [0, 1). */
export function randomUnit(dim: number, next: () => number): Vec {
  const v = new Float64Array(dim);
  for (let i = 0; i < dim; i++) v[i] = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return unit(v);
}

/** An orthonormal basis of the span of `vectors` (Gram-Schmidt, in order; near-dependent vectors are left out). */
export function orthonormalBasis(vectors: readonly ArrayLike<number>[], tolerance = 1e-6): Vec[] {
  const basis: Vec[] = [];
  for (const x of vectors) {
    const y = Float64Array.from(x);
    const scale = norm(y);
    for (const b of basis) {
      const p = dot(y, b);
      for (let i = 0; i < y.length; i++) y[i] = (y[i] as number) - p * (b[i] as number);
    }
    const n = norm(y);
    if (n > tolerance * Math.max(1, scale)) basis.push(scaled(y, 1 / n));
  }
  return basis;
}
