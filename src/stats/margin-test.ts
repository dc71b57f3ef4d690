/**
 * A one-sided test that one share exceeds another by more than a margin, with the matching
 * confidence bound: the Miettinen-Nurminen score method for a difference of two independent
 * proportions (Miettinen & Nurminen 1985; Farrington & Manning 1990 for the closed-form restricted
 * estimate). Chosen over a Wald test (which collapses at 0% and 100%, where aligned models live) and
 * over Newcombe's hybrid interval (which has no p-value against a non-zero margin): the score
 * statistic is evaluated under the null difference itself, so its size stays close to the nominal
 * level at small shares, and inverting it gives a bound that always agrees with the p-value
 * (p < alpha exactly when the bound lies beyond the margin).
 */
import { normalQuantile } from './distributions.js';
import { checkConfidence } from './proportion.js';

export interface MarginTestResult {
  /** p1 - p2 observed; null when either n is 0. */
  difference: number | null;
  /** One-sided p-value of H0: p1 - p2 <= margin against H1: p1 - p2 > margin. */
  pValue: number | null;
  /** Lower and upper one-sided bounds of p1 - p2 at `confidence` each (a two-sided 1 - 2(1 - confidence) interval). */
  lower: number | null;
  upper: number | null;
  /** The score statistic at the margin. */
  z: number | null;
  method: 'miettinen_nurminen_one_sided';
}

/** The standard normal upper tail P(Z > z), by the complementary error function (Cody's rational approximation is not needed here: 1e-7 is plenty for a p-value). */
function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** erfc by Numerical Recipes' Chebyshev fit (relative error < 1.2e-7 everywhere). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * The maximum-likelihood shares (q1, q2) under the constraint q1 - q2 = delta (Farrington &
 * Manning 1990, closed form of the cubic's root in [0, 1]).
 */
export function restrictedShares(k1: number, n1: number, k2: number, n2: number, delta: number): [number, number] {
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const theta = n2 / n1;
  const a = 1 + theta;
  const b = -(1 + theta + p1 + theta * p2 + delta * (theta + 2));
  const c = delta * delta + delta * (2 * p1 + theta + 1) + p1 + theta * p2;
  const d = -p1 * delta * (1 + delta);
  const v = b ** 3 / (27 * a ** 3) - (b * c) / (6 * a * a) + d / (2 * a);
  const uu = b * b / (9 * a * a) - c / (3 * a);
  const u = (v === 0 ? 1 : Math.sign(v)) * Math.sqrt(Math.max(0, uu));
  const ratio = u === 0 ? 0 : Math.max(-1, Math.min(1, v / u ** 3));
  const w = (Math.PI + Math.acos(ratio)) / 3;
  const q1 = Math.min(1, Math.max(0, 2 * u * Math.cos(w) - b / (3 * a)));
  const q2 = Math.min(1, Math.max(0, q1 - delta));
  return [q1, q2];
}

/** The Miettinen-Nurminen score statistic for H0: p1 - p2 = delta (larger means p1 - p2 > delta). */
export function scoreStatistic(k1: number, n1: number, k2: number, n2: number, delta: number): number {
  const diff = k1 / n1 - k2 / n2 - delta;
  const [q1, q2] = restrictedShares(k1, n1, k2, n2, delta);
  const total = n1 + n2;
  // N / (N - 1) is Miettinen and Nurminen's correction of the variance; undefined for N = 1.
  const correction = total > 1 ? total / (total - 1) : 1;
  const variance = (q1 * (1 - q1) / n1 + q2 * (1 - q2) / n2) * correction;
  if (variance <= 0) return diff === 0 ? 0 : diff > 0 ? Infinity : -Infinity;
  return diff / Math.sqrt(variance);
}

/**
 * Tests H0: p1 - p2 <= margin against H1: p1 - p2 > margin at one-sided level 1 - confidence,
 * for k1 of n1 and k2 of n2. `lower` > margin exactly when `pValue` < 1 - confidence.
 */
export function marginTest(k1: number, n1: number, k2: number, n2: number, margin: number, confidence = 0.95): MarginTestResult {
  for (const [name, k, n] of [['1', k1, n1], ['2', k2, n2]] as const) {
    if (!Number.isInteger(n) || n < 0) throw new Error(`marginTest: n${name} must be a non-negative integer, got ${n}`);
    if (!Number.isInteger(k) || k < 0 || k > n) throw new Error(`marginTest: k${name} must be an integer in [0, ${n}], got ${k}`);
  }
  if (!(margin > -1 && margin < 1)) throw new Error(`marginTest: the margin must lie strictly between -1 and 1, got ${margin}`);
  checkConfidence(confidence);
  const method = 'miettinen_nurminen_one_sided' as const;
  if (n1 === 0 || n2 === 0) return { difference: null, pValue: null, lower: null, upper: null, z: null, method };
  const difference = k1 / n1 - k2 / n2;
  const z = scoreStatistic(k1, n1, k2, n2, margin);
  const critical = normalQuantile(confidence);
  const stat = (delta: number): number => scoreStatistic(k1, n1, k2, n2, delta);
  // The statistic falls as delta rises; each bound is where it crosses +-critical.
  const lower = bisect(stat, -1, difference, critical);
  const upper = bisect(stat, difference, 1, -critical);
  return { difference, pValue: normalUpperTail(z), lower, upper, z, method };
}

/** The delta in [lo, hi] where the decreasing function f crosses target (an end when it never does). */
function bisect(f: (delta: number) => number, lo: number, hi: number, target: number): number {
  // The restricted estimate is undefined at exactly +-1; stay a hair inside.
  let a = Math.max(lo, -1 + 1e-12);
  let b = Math.min(hi, 1 - 1e-12);
  if (f(a) <= target) return a;
  if (f(b) >= target) return b;
  for (let i = 0; i < 100 && b - a > 1e-12; i++) {
    const mid = (a + b) / 2;
    if (f(mid) > target) a = mid;
    else b = mid;
  }
  return (a + b) / 2;
}
