/**
 * The engine's row-wise and element-wise pieces in plain TypeScript over Float32Array views:
 * LayerNorm (keeping x-hat for its gradient), bias rows and column sums. Sums run in float64;
 * every stored value is float32. (GELU, softmax and attention are the kernels'.)
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
