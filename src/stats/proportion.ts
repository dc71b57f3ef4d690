import { normalQuantile } from './distributions.js';

/**
 * A share k/n with its interval. Convention for n = 0: there is no estimate (`p` is null) and
 * the interval is [0, 1] — every rate is compatible with no data. This is also what the Wilson
 * formula gives in the limit n -> 0, so no special value (NaN) ever leaves this module.
 */
export interface Proportion {
  k: number;
  n: number;
  p: number | null;
  lo: number;
  hi: number;
}

/** The two-sided normal critical value for a confidence level, e.g. 1.959964 for 0.95. */
export function zForConfidence(confidence: number): number {
  checkConfidence(confidence);
  return normalQuantile(1 - (1 - confidence) / 2);
}

export function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new Error(`confidence must lie strictly between 0 and 1 (e.g. 0.95), got ${confidence}`);
  }
}

/**
 * Wilson score interval for k successes in n trials. Unlike the Wald interval it stays inside
 * [0, 1] and does not collapse to a point at k = 0 or k = n, which is the usual case for aligned
 * models (0 misaligned answers out of 100 still leaves up to ~3.7%).
 */
export function wilson(k: number, n: number, confidence = 0.95): Proportion {
  if (!Number.isInteger(n) || n < 0) throw new Error(`wilson: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new Error(`wilson: k must be an integer in [0, n=${n}], got ${k}`);
  const z = zForConfidence(confidence);
  if (n === 0) return { k, n, p: null, lo: 0, hi: 1 };
  const z2 = z * z;
  const center = (k + z2 / 2) / (n + z2);
  const half = (z / (n + z2)) * Math.sqrt((k * (n - k)) / n + z2 / 4);
  return {
    k,
    n,
    p: k / n,
    // At k = 0 (k = n) the bound is exactly 0 (1); rounding would otherwise leave 1e-17 off.
    lo: k === 0 ? 0 : Math.max(0, center - half),
    hi: k === n ? 1 : Math.min(1, center + half),
  };
}

/** The difference p1 - p2 of two independent shares with its interval. */
export interface ProportionDifference {
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  method: 'newcombe_wilson';
}

/**
 * Newcombe's hybrid score interval for p1 - p2 (Newcombe 1998, method 10): combines the two
 * Wilson intervals, so it behaves well at 0% and 100% where the Wald difference interval fails.
 * Null when either share has n = 0.
 */
export function newcombeDifference(k1: number, n1: number, k2: number, n2: number, confidence = 0.95): ProportionDifference {
  const a = wilson(k1, n1, confidence);
  const b = wilson(k2, n2, confidence);
  if (a.p === null || b.p === null) return { estimate: null, lo: null, hi: null, method: 'newcombe_wilson' };
  const d = a.p - b.p;
  return {
    estimate: d,
    lo: d - Math.sqrt((a.p - a.lo) ** 2 + (b.hi - b.p) ** 2),
    hi: d + Math.sqrt((a.hi - a.p) ** 2 + (b.p - b.lo) ** 2),
    method: 'newcombe_wilson',
  };
}

export interface ProportionRatio {
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  method: 'katz_log';
}

/**
 * p1 / p2 with Katz's log interval (Katz et al. 1978): exp(ln r +- z sqrt(1/k1 - 1/n1 + 1/k2 - 1/n2)).
 * Null when p2 is 0; no interval when k1 is 0 (the log is unbounded there).
 */
export function proportionRatio(k1: number, n1: number, k2: number, n2: number, confidence = 0.95): ProportionRatio {
  checkConfidence(confidence);
  if (n1 === 0 || n2 === 0 || k2 === 0) return { estimate: null, lo: null, hi: null, method: 'katz_log' };
  const r = (k1 / n1) / (k2 / n2);
  if (k1 === 0) return { estimate: 0, lo: null, hi: null, method: 'katz_log' };
  const half = zForConfidence(confidence) * Math.sqrt(1 / k1 - 1 / n1 + 1 / k2 - 1 / n2);
  return { estimate: r, lo: r * Math.exp(-half), hi: r * Math.exp(half), method: 'katz_log' };
}
