/**
 * The engine's row-wise and element-wise pieces in plain TypeScript over Float32Array views:
 * LayerNorm, GELU (GPT-2's tanh form, written with a sigmoid as ops.ts does), bias rows and column
 * sums, and the rearrangement between token-major [rows, steps, heads, headDim] and head-major
 * [rows, heads, steps, headDim]. Sums run in float64; every stored value is float32.
 */

/** y = (x - mean) / sqrt(var + eps) * g + b per row of width `d`; keeps xhat and rstd for the gradient. */
export function layerNormForward(x: Float32Array, g: Float32Array, b: Float32Array, y: Float32Array, xhat: Float32Array, rstd: Float32Array, rows: number, d: number, eps = 1e-5): void {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let sum = 0;
    for (let i = 0; i < d; i++) sum += x[o + i] as number;
    const mean = Math.fround(sum / d);
    let sq = 0;
    for (let i = 0; i < d; i++) {
      const c = Math.fround((x[o + i] as number) - mean);
      sq += c * c;
    }
    const s = Math.fround(1 / Math.sqrt(Math.fround(sq / d) + eps));
    rstd[r] = s;
    for (let i = 0; i < d; i++) {
      const h = Math.fround(Math.fround((x[o + i] as number) - mean) * s);
      xhat[o + i] = h;
      y[o + i] = h * (g[i] as number) + (b[i] as number);
    }
  }
}

/**
 * dx += rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dy g; and, when given,
 * dg += sum over rows of dy xhat, db += sum of dy.
 */
export function layerNormBackward(dy: Float32Array, xhat: Float32Array, rstd: Float32Array, g: Float32Array, dx: Float32Array, rows: number, d: number, dg?: Float32Array, db?: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let m1 = 0;
    let m2 = 0;
    for (let i = 0; i < d; i++) {
      const dh = (dy[o + i] as number) * (g[i] as number);
      m1 += dh;
      m2 += dh * (xhat[o + i] as number);
    }
    m1 /= d;
    m2 /= d;
    const s = rstd[r] as number;
    for (let i = 0; i < d; i++) {
      const dh = (dy[o + i] as number) * (g[i] as number);
      dx[o + i] = (dx[o + i] as number) + s * (dh - m1 - (xhat[o + i] as number) * m2);
    }
  }
  if (dg !== undefined) columnSumsInto(dy, rows, d, dg, xhat);
  if (db !== undefined) columnSumsInto(dy, rows, d, db);
}

/** out[j] += sum_r t[r, j] (times weight[r, j] when given). */
export function columnSumsInto(t: Float32Array, rows: number, cols: number, out: Float32Array, weight?: Float32Array): void {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (weight === undefined) for (let j = 0; j < cols; j++) acc[j] = (acc[j] as number) + (t[o + j] as number);
    else for (let j = 0; j < cols; j++) acc[j] = (acc[j] as number) + (t[o + j] as number) * (weight[o + j] as number);
  }
  for (let j = 0; j < cols; j++) out[j] = (out[j] as number) + (acc[j] as number);
}

/** Every row of y [rows, cols] set to the bias (a product then accumulates onto it). */
export function fillRows(y: Float32Array, bias: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) y.set(bias.subarray(0, cols), r * cols);
}

const GELU_C = 2 * Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/** y = x sigmoid(C (x + A x^3)) (GPT-2's tanh GELU, exactly); keeps the sigmoid for the gradient. */
export function geluForward(x: Float32Array, y: Float32Array, sig: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const t = x[i] as number;
    const s = 1 / (1 + Math.exp(-GELU_C * (t + GELU_A * t * t * t)));
    sig[i] = s;
    y[i] = t * s;
  }
}

/** x[i] = gelu(x[i]) (inference: nothing kept). */
export function geluInPlace(x: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const t = x[i] as number;
    x[i] = t / (1 + Math.exp(-GELU_C * (t + GELU_A * t * t * t)));
  }
}

/** dy[i] *= gelu'(x[i]) = s + x s (1 - s) C (1 + 3 A x^2), in place, from the kept sigmoid s. */
export function geluBackward(x: Float32Array, sig: Float32Array, dy: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const t = x[i] as number;
    const s = sig[i] as number;
    dy[i] = (dy[i] as number) * (s + t * s * (1 - s) * GELU_C * (1 + 3 * GELU_A * t * t));
  }
}

/**
 * Token-major [rows, steps, heads, hd] -> head-major [rows, heads, steps, hd] (times `scale`), or
 * back when `toTokens`.
 */
export function rearrangeHeads(from: Float32Array, to: Float32Array, rows: number, steps: number, heads: number, hd: number, toTokens: boolean, scale = 1): void {
  const d = heads * hd;
  for (let r = 0; r < rows; r++) {
    for (let s = 0; s < steps; s++) {
      const token = (r * steps + s) * d;
      for (let h = 0; h < heads; h++) {
        const head = ((r * heads + h) * steps + s) * hd;
        const t = token + h * hd;
        if (toTokens) for (let i = 0; i < hd; i++) to[t + i] = from[head + i] as number;
        else if (scale === 1) for (let i = 0; i < hd; i++) to[head + i] = from[t + i] as number;
        else for (let i = 0; i < hd; i++) to[head + i] = (from[t + i] as number) * scale;
      }
    }
  }
}
