/**
 * Plain TypeScript versions of every kernel, written for clarity, summing in float64. The tests
 * hold the wasm kernels to these; nothing in the product calls them.
 */
import type { GemmOptions } from './gemm.js';

/** C[m×n] (=|+=) op(A)·op(B), with the layouts of KernelArena.gemm. */
export function gemmReference(
  c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number, options: GemmOptions = {},
): void {
  const { aT = false, bT = false, accumulate = false } = options;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const av = a[aT ? p * m + i : i * k + p] as number;
        const bv = b[bT ? j * k + p : p * n + j] as number;
        sum += av * bv;
      }
      c[i * n + j] = accumulate ? (c[i * n + j] as number) + sum : sum;
    }
  }
}
