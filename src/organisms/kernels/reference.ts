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

/** Row softmax of scale·x with the causal rule of softmaxRows (j > i + cols − rows masked). */
export function softmaxReference(x: ArrayLike<number>, rows: number, cols: number, scale = 1, causal = false): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const keep = (j: number): boolean => !causal || j <= i + cols - rows;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (keep(j)) max = Math.max(max, scale * (x[i * cols + j] as number));
    if (max === -Infinity) continue;
    let sum = 0;
    for (let j = 0; j < cols; j++) if (keep(j)) sum += Math.exp(scale * (x[i * cols + j] as number) - max);
    for (let j = 0; j < cols; j++) if (keep(j)) y[i * cols + j] = Math.exp(scale * (x[i * cols + j] as number) - max) / sum;
  }
  return y;
}

/** dx = scale · y ⊙ (dy − Σ y·dy) per row. */
export function softmaxBackwardReference(y: ArrayLike<number>, dy: ArrayLike<number>, rows: number, cols: number, scale = 1): Float64Array {
  const dx = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += (y[i * cols + j] as number) * (dy[i * cols + j] as number);
    for (let j = 0; j < cols; j++) dx[i * cols + j] = scale * (y[i * cols + j] as number) * ((dy[i * cols + j] as number) - dot);
  }
  return dx;
}

export function layerNormReference(x: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>, rows: number, cols: number, eps = 1e-5): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let mean = 0;
    for (let j = 0; j < cols; j++) mean += x[i * cols + j] as number;
    mean /= cols;
    let variance = 0;
    for (let j = 0; j < cols; j++) variance += ((x[i * cols + j] as number) - mean) ** 2;
    variance /= cols;
    for (let j = 0; j < cols; j++) {
      y[i * cols + j] = (((x[i * cols + j] as number) - mean) / Math.sqrt(variance + eps)) * (gamma[j] as number) + (beta[j] as number);
    }
  }
  return y;
}

/** GELU, tanh form, with Math.tanh. */
export function geluReference(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

/**
 * Causal attention of one batch of back-to-back sequences, [tokens, heads, headDim], written as
 * the textbook loops: scores, masked softmax, weighted sum of values.
 */
export function attentionReference(
  q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, lengths: readonly number[], heads: number, headDim: number, scale = 1 / Math.sqrt(headDim),
): Float64Array {
  const tokens = lengths.reduce((a, b) => a + b, 0);
  const o = new Float64Array(tokens * heads * headDim);
  const at = (t: number, h: number, d: number): number => (t * heads + h) * headDim + d;
  let start = 0;
  for (const L of lengths) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < L; i++) {
        const scores: number[] = [];
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let d = 0; d < headDim; d++) s += (q[at(start + i, h, d)] as number) * (k[at(start + j, h, d)] as number);
          scores.push(scale * s);
        }
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= i; j++) {
          for (let d = 0; d < headDim; d++) o[at(start + i, h, d)] = (o[at(start + i, h, d)] as number) + ((e[j] as number) / sum) * (v[at(start + j, h, d)] as number);
        }
      }
    }
    start += L;
  }
  return o;
}

/**
 * One Adam step (adam.ts) as PyTorch's torch.optim.Adam writes it (bias corrections folded into the
 * step size and the denominator), float64 per entry, m and v unrounded in the update of params.
 */
export function adamReference(
  params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, t: number,
  { lr, beta1, beta2, eps }: { lr: number; beta1: number; beta2: number; eps: number },
): void {
  for (let i = 0; i < params.length; i++) {
    const g = grads[i] as number;
    const mi = beta1 * (m[i] as number) + (1 - beta1) * g;
    const vi = beta2 * (v[i] as number) + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    params[i] = (params[i] as number) - ((lr / (1 - beta1 ** t)) * mi) / (Math.sqrt(vi) / Math.sqrt(1 - beta2 ** t) + eps);
  }
}
