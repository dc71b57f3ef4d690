import { logFactorial, studentTCdf, studentTQuantile } from './distributions.js';
import { mean, sampleSd } from './mean.js';
import { checkConfidence } from './proportion.js';
import { createRng } from './prng.js';

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

export interface FisherResult {
  pValue: number;
  /** Sample odds ratio (a*d)/(b*c); null where it is 0/0, Infinity never (null with b*c = 0 too). */
  oddsRatio: number | null;
}

/**
 * Fisher's exact test, two-sided, for the table [[k1, n1 - k1], [k2, n2 - k2]]: the p-value is the
 * total hypergeometric probability of the tables (with the same margins) that are no more likely
 * than the observed one, as in R's fisher.test and scipy's fisher_exact. A relative tolerance of
 * 1e-7 keeps tables of equal probability from being lost to rounding (R uses the same).
 */
export function fisherExact(k1: number, n1: number, k2: number, n2: number): FisherResult {
  for (const [name, v] of [['n1', n1], ['n2', n2]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`fisherExact: ${name} must be a non-negative integer, got ${v}`);
  }
  if (!Number.isInteger(k1) || k1 < 0 || k1 > n1) throw new Error(`fisherExact: k1 must be an integer in [0, n1=${n1}], got ${k1}`);
  if (!Number.isInteger(k2) || k2 < 0 || k2 > n2) throw new Error(`fisherExact: k2 must be an integer in [0, n2=${n2}], got ${k2}`);
  const a = k1;
  const b = n1 - k1;
  const c = k2;
  const d = n2 - k2;
  const oddsRatio = b * c === 0 ? null : (a * d) / (b * c);
  const total = n1 + n2;
  const successes = k1 + k2;
  const xMin = Math.max(0, successes - n2);
  const xMax = Math.min(n1, successes);
  const logP = (x: number): number => logChoose(n1, x) + logChoose(n2, successes - x) - logChoose(total, successes);
  const observed = logP(a);
  const cutoff = observed + Math.log1p(1e-7);
  let p = 0;
  for (let x = xMin; x <= xMax; x++) {
    const lp = logP(x);
    if (lp <= cutoff) p += Math.exp(lp);
  }
  return { pValue: Math.min(1, p), oddsRatio };
}

export interface PermutationOptions {
  /** Random relabellings when exact enumeration is too large; 10000 unless told. */
  resamples?: number;
  seed?: number;
  /** Enumerate every relabelling when there are at most this many; 200000 unless told (10 vs 10 members: 184,756). */
  maxExact?: number;
}

export interface PermutationResult {
  /** mean(x) - mean(y). */
  statistic: number;
  pValue: number;
  method: 'exact' | 'monte_carlo';
  /** Relabellings enumerated (exact) or drawn (monte_carlo). */
  permutations: number;
  /**
   * The smallest p-value this design can give: with equal sides the observed split and its mirror
   * are equally extreme, so 2 / relabellings (0.1 with 3 members a side); else 1 / relabellings.
   */
  smallestPossiblePValue: number;
  seed: number | null;
}

/**
 * Two-sided permutation test of the difference of means of two sets of group values (e.g. the
 * misaligned shares of each fine-tuning seed of two models). Exact when the number of ways to
 * relabel is small — then the smallest possible p-value is coarse (0.1 with 3 seeds a side) and
 * the result says so in `smallestPossiblePValue`. Otherwise Monte Carlo with the
 * (1 + hits) / (1 + draws) estimate, which is never 0.
 */
export function permutationTest(x: readonly number[], y: readonly number[], opts: PermutationOptions = {}): PermutationResult {
  if (x.length === 0 || y.length === 0) throw new Error(`permutationTest: both sides need at least one value (got ${x.length} and ${y.length})`);
  for (const v of [...x, ...y]) if (!Number.isFinite(v)) throw new Error(`permutationTest: values must be finite, got ${v}`);
  const pooled = [...x, ...y];
  const nx = x.length;
  const total = pooled.reduce((s, v) => s + v, 0);
  const statOf = (sumX: number): number => sumX / nx - (total - sumX) / y.length;
  const observed = mean(x)! - mean(y)!;
  // Ties in |statistic| must count as "as extreme": compare with a tolerance for float sums.
  const threshold = Math.abs(observed) - 1e-12 * Math.max(1, Math.abs(observed));
  const maxExact = opts.maxExact ?? 200_000;
  const ways = choose(pooled.length, nx);
  if (ways <= maxExact) {
    let hits = 0;
    let count = 0;
    forEachCombinationSum(pooled, nx, (sumX) => {
      count++;
      if (Math.abs(statOf(sumX)) >= threshold) hits++;
    });
    return {
      statistic: observed,
      pValue: hits / count,
      method: 'exact',
      permutations: count,
      smallestPossiblePValue: Math.min(1, (nx === y.length ? 2 : 1) / count),
      seed: null,
    };
  }
  const resamples = opts.resamples ?? 10_000;
  if (!Number.isInteger(resamples) || resamples < 100) throw new Error(`permutationTest: resamples must be an integer of at least 100, got ${resamples}`);
  const seed = opts.seed ?? 0;
  const rng = createRng(seed);
  const work = pooled.slice();
  let hits = 0;
  for (let r = 0; r < resamples; r++) {
    // Partial Fisher-Yates: the first nx slots become a uniformly random subset.
    let sumX = 0;
    for (let i = 0; i < nx; i++) {
      const j = i + rng.int(work.length - i);
      const t = work[i]!;
      work[i] = work[j]!;
      work[j] = t;
      sumX += work[i]!;
    }
    if (Math.abs(statOf(sumX)) >= threshold) hits++;
  }
  return {
    statistic: observed,
    pValue: (1 + hits) / (1 + resamples),
    method: 'monte_carlo',
    permutations: resamples,
    smallestPossiblePValue: 1 / (1 + resamples),
    seed,
  };
}

function choose(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) {
    r = (r * (n - k + i)) / i;
    if (r > Number.MAX_SAFE_INTEGER) return Infinity;
  }
  return Math.round(r);
}

function forEachCombinationSum(values: readonly number[], k: number, visit: (sum: number) => void): void {
  const walk = (start: number, left: number, sum: number): void => {
    if (left === 0) {
      visit(sum);
      return;
    }
    for (let i = start; i <= values.length - left; i++) walk(i + 1, left - 1, sum + values[i]!);
  };
  walk(0, k, 0);
}

export interface WelchResult {
  /** mean(x) - mean(y), with its Welch-Satterthwaite t-interval. */
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  t: number | null;
  df: number | null;
  /** Two-sided. */
  pValue: number | null;
  note: string | null;
}

/**
 * Welch's unequal-variance t-test of mean(x) - mean(y) and its interval (as R's t.test and scipy's
 * ttest_ind(equal_var=False)): for few group values (e.g. 3 fine-tuning seeds a side), where a
 * permutation test cannot go below 2 / C(6, 3) = 0.1. It assumes roughly normal values; the note says
 * when it cannot be computed.
 */
export function welchTTest(x: readonly number[], y: readonly number[], confidence = 0.95): WelchResult {
  checkConfidence(confidence);
  for (const v of [...x, ...y]) if (!Number.isFinite(v)) throw new Error(`welchTTest: values must be finite, got ${v}`);
  const mx = mean(x);
  const my = mean(y);
  const estimate = mx === null || my === null ? null : mx - my;
  const none = { estimate, lo: null, hi: null, t: null, df: null, pValue: null };
  if (x.length < 2 || y.length < 2) return { ...none, note: 'Welch\'s t needs at least 2 values a side' };
  const vx = sampleSd(x)! ** 2 / x.length;
  const vy = sampleSd(y)! ** 2 / y.length;
  const se = Math.sqrt(vx + vy);
  if (se === 0) return { ...none, note: 'no variation within either side: Welch\'s t is undefined' };
  const df = (vx + vy) ** 2 / (vx ** 2 / (x.length - 1) + vy ** 2 / (y.length - 1));
  const t = estimate! / se;
  const half = studentTQuantile(1 - (1 - confidence) / 2, df) * se;
  return { estimate, lo: estimate! - half, hi: estimate! + half, t, df, pValue: Math.min(1, 2 * studentTCdf(-Math.abs(t), df)), note: null };
}

/**
 * Holm's step-down adjustment of a family of p-values (controls the family-wise error rate).
 * Nulls (tests that could not be run) are passed through and do not count in the family.
 */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const present = pValues
    .map((p, i) => ({ p, i }))
    .filter((e): e is { p: number; i: number } => e.p !== null)
    .sort((x, y) => x.p - y.p);
  const out: (number | null)[] = pValues.map(() => null);
  const m = present.length;
  let running = 0;
  present.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
