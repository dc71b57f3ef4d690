/**
 * Mean and two-sided Student-t confidence interval over seeds, in the shape the subliminal studies'
 * results carry (low/high, null for a single seed). The t distribution is stats/'s.
 */
import { studentTQuantile } from '../../stats/distributions.js';

export interface MeanInterval {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); null for a single value. */
  sd: number | null;
  /** The interval's confidence, e.g. 0.95. */
  level: number;
  /** mean ± t(level, n−1)·sd/√n; null when n < 2 (no spread to estimate). */
  low: number | null;
  high: number | null;
}

export function meanInterval(values: readonly number[], level = 0.95): MeanInterval {
  const n = values.length;
  if (n === 0) throw new Error('meanInterval: no values');
  if (values.some((v) => !Number.isFinite(v))) throw new Error('meanInterval: values must be finite numbers');
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { n, mean, sd: null, level, low: null, high: null };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, level, low: mean - half, high: mean + half };
}
