/**
 * A linear trend of values against a dose: the least-squares slope of y on x, its Student-t interval
 * and two-sided t-test (df = n - 2), and a permutation test of the slope (the y values shuffled over
 * the x values; exchangeable when there is no trend). Used with one value per fine-tuning seed, so the
 * unit of the test is the seed, not the answer.
 */
import { createRng } from './prng.js';
import { studentTCdf, studentTQuantile } from './distributions.js';

export interface LinearTrend {
  /** Points with both values finite. */
  n: number;
  slope: number | null;
  intercept: number | null;
  /** Student-t interval of the slope (needs n >= 3 and some spread in x and in the residuals). */
  lo: number | null;
  hi: number | null;
  t: { pValue: number | null; statistic: number | null; df: number | null };
  permutation: { pValue: number | null; resamples: number; seed: number };
}

export interface TrendOptions {
  confidence?: number;
  /** Shuffles of the permutation test (Monte Carlo; p = (1 + as extreme) / (1 + shuffles)). */
  resamples?: number;
  seed?: number;
}

function fit(x: readonly number[], y: readonly number[]): { slope: number; intercept: number; sxx: number } | null {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  if (!(sxx > 0)) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, sxx };
}

export function linearTrend(xs: readonly number[], ys: readonly number[], opts: TrendOptions = {}): LinearTrend {
  if (xs.length !== ys.length) throw new Error(`linearTrend: x and y differ in length (${xs.length} and ${ys.length})`);
  const confidence = opts.confidence ?? 0.95;
  const resamples = opts.resamples ?? 10_000;
  const seed = opts.seed ?? 0;
  const keep = xs.map((_, i) => i).filter((i) => Number.isFinite(xs[i]) && Number.isFinite(ys[i]));
  const x = keep.map((i) => xs[i]!);
  const y = keep.map((i) => ys[i]!);
  const n = x.length;
  const empty: LinearTrend = { n, slope: null, intercept: null, lo: null, hi: null, t: { pValue: null, statistic: null, df: null }, permutation: { pValue: null, resamples: 0, seed } };
  const f = n >= 2 ? fit(x, y) : null;
  if (f === null) return empty;
  const df = n - 2;
  let t: LinearTrend['t'] = { pValue: null, statistic: null, df: df > 0 ? df : null };
  let lo: number | null = null;
  let hi: number | null = null;
  if (df > 0) {
    const sse = x.reduce((s, xi, i) => s + (y[i]! - (f.intercept + f.slope * xi)) ** 2, 0);
    const se = Math.sqrt(sse / df / f.sxx);
    if (se > 0) {
      const q = studentTQuantile(1 - (1 - confidence) / 2, df);
      lo = f.slope - q * se;
      hi = f.slope + q * se;
      const statistic = f.slope / se;
      t = { pValue: Math.min(1, 2 * (1 - studentTCdf(Math.abs(statistic), df))), statistic, df };
    }
  }
  const rng = createRng(seed);
  const shuffled = y.slice();
  const threshold = Math.abs(f.slope) - 1e-12 * Math.max(1, Math.abs(f.slope));
  let hits = 0;
  for (let r = 0; r < resamples; r++) {
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const tmp = shuffled[i]!;
      shuffled[i] = shuffled[j]!;
      shuffled[j] = tmp;
    }
    if (Math.abs(fit(x, shuffled)!.slope) >= threshold) hits++;
  }
  return {
    n, slope: f.slope, intercept: f.intercept, lo, hi, t,
    permutation: { pValue: resamples > 0 ? (1 + hits) / (1 + resamples) : null, resamples, seed },
  };
}
