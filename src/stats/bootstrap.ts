import { mean, meanWithTInterval } from './mean.js';
import { checkConfidence, wilson } from './proportion.js';
import { createRng, sampleBinomial, type Rng } from './prng.js';

export interface BootstrapOptions {
  /** Number of bootstrap resamples; 2000 unless told. */
  resamples?: number;
  confidence?: number;
  /** Seed of the generator; 0 unless told. The same seed always gives the same interval. */
  seed?: number;
}

export interface PercentileBootstrapOptions extends BootstrapOptions {
  /**
   * A resample on which the statistic is undefined (NaN: an AUROC whose resample holds one class
   * only, a correlation of equal values) is drawn again instead of failing, up to 10x resamples in
   * all: the interval is then conditional on a defined statistic. Draws with a defined statistic
   * are the same as without the option, so data that never meets an undefined resample gives the
   * same interval either way. Infinite values still fail.
   */
  redrawUndefined?: boolean;
}

export const DEFAULT_BOOTSTRAP_RESAMPLES = 2000;
export const DEFAULT_SEED = 0;

interface ResolvedBootstrapOptions {
  resamples: number;
  confidence: number;
  seed: number;
}

function resolve(opts: BootstrapOptions): ResolvedBootstrapOptions {
  const resamples = opts.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  if (!Number.isInteger(resamples) || resamples < 100) {
    throw new Error(`bootstrap: resamples must be an integer of at least 100, got ${resamples}`);
  }
  const confidence = opts.confidence ?? 0.95;
  checkConfidence(confidence);
  return { resamples, confidence, seed: opts.seed ?? DEFAULT_SEED };
}

/** The q-quantile of sorted values with linear interpolation (Hyndman-Fan type 7, numpy's default). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantileSorted: no values');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantileSorted: q must lie in [0, 1], got ${q}`);
  const h = (sorted.length - 1) * q;
  const i = Math.floor(h);
  const lo = sorted[i]!;
  const hi = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return lo + (h - i) * (hi - lo);
}

function percentileInterval(draws: number[], confidence: number): { lo: number; hi: number } {
  draws.sort((a, b) => a - b);
  const alpha = 1 - confidence;
  return { lo: quantileSorted(draws, alpha / 2), hi: quantileSorted(draws, 1 - alpha / 2) };
}

function resampleInto<T>(values: readonly T[], rng: Rng, out: T[]): T[] {
  out.length = values.length;
  for (let i = 0; i < values.length; i++) out[i] = values[rng.int(values.length)]!;
  return out;
}

export interface BootstrapInterval {
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  resamples: number;
  seed: number;
}

/** Percentile bootstrap interval of any statistic of i.i.d. values. */
export function percentileBootstrap<T>(
  values: readonly T[],
  statistic: (sample: readonly T[]) => number,
  opts: PercentileBootstrapOptions = {},
): BootstrapInterval {
  const { resamples, confidence, seed } = resolve(opts);
  if (values.length === 0) return { estimate: null, lo: null, hi: null, resamples, seed };
  const estimate = finiteStatistic(statistic(values));
  const rng = createRng(seed);
  const draws: number[] = [];
  const buffer: T[] = [];
  for (let tries = 0; draws.length < resamples; tries++) {
    const v = statistic(resampleInto(values, rng, buffer));
    if (opts.redrawUndefined && Number.isNaN(v)) {
      if (tries >= 10 * resamples) throw new Error(`bootstrap: the statistic was undefined on ${tries - draws.length + 1} of ${tries + 1} resamples; too few values of some kind to resample`);
      continue;
    }
    draws.push(finiteStatistic(v));
  }
  return { estimate, ...percentileInterval(draws, confidence), resamples, seed };
}

function finiteStatistic(v: number): number {
  if (!Number.isFinite(v)) throw new Error(`bootstrap: the statistic returned ${v}; it must be finite on every resample`);
  return v;
}

/** One group (e.g. one fine-tuned seed of a model) with its value and, optionally, its own interval. */
export interface GroupValue {
  value: number;
  lo?: number | null;
  hi?: number | null;
}

export type GroupIntervalMethod =
  | 'student_t_over_groups'
  | 'single_group_own_interval'
  | 'single_group_no_interval'
  | 'no_groups';

export interface GroupMeanInterval {
  nGroups: number;
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  method: GroupIntervalMethod;
  /** Plain-language caveat to show next to the interval, or null. */
  note: string | null;
  resamples: number;
  seed: number;
}

export interface GroupMeanOptions extends BootstrapOptions {
  /** The range the values can take (e.g. [0, 1] for shares): the interval is clipped to it, and says so. */
  bounds?: readonly [number, number];
}

/**
 * Mean over groups (e.g. the fine-tuning seeds of one recipe) with a Student-t interval over the
 * group values: the groups are the unit, so the interval reflects how much they differ from each
 * other. A bootstrap over 3 groups cannot reach beyond their min and max; the t-interval widens with
 * few groups as it should (t(2) = 4.30 at 95%). With a single group there is nothing to compare: the
 * result says so in `method` and `note` and carries the group's own interval, if it has one, instead
 * of a silent zero-width interval. (`resamples` and `seed` are kept for the record; the t-interval
 * draws nothing.)
 */
export function groupMeanInterval(groups: readonly GroupValue[], opts: GroupMeanOptions = {}): GroupMeanInterval {
  const { resamples, confidence, seed } = resolve(opts);
  for (const g of groups) if (!Number.isFinite(g.value)) throw new Error(`groupMeanInterval: group values must be finite, got ${g.value}`);
  const base = { nGroups: groups.length, resamples, seed };
  if (groups.length === 0) {
    return { ...base, estimate: null, lo: null, hi: null, method: 'no_groups', note: 'no group has a value' };
  }
  if (groups.length === 1) {
    const only = groups[0]!;
    if (only.lo != null && only.hi != null) {
      return {
        ...base,
        estimate: only.value,
        lo: only.lo,
        hi: only.hi,
        method: 'single_group_own_interval',
        note: 'one member only: the interval is that member\'s own sampling interval and does not include variation between members (e.g. fine-tuning seeds)',
      };
    }
    return {
      ...base,
      estimate: only.value,
      lo: null,
      hi: null,
      method: 'single_group_no_interval',
      note: 'one member only: no interval between members can be computed',
    };
  }
  const t = meanWithTInterval(groups.map((g) => g.value), confidence);
  let lo = t.lo!;
  let hi = t.hi!;
  let note: string | null = null;
  if (opts.bounds !== undefined && (lo < opts.bounds[0] || hi > opts.bounds[1])) {
    lo = Math.max(lo, opts.bounds[0]);
    hi = Math.min(hi, opts.bounds[1]);
    note = `the t-interval over ${groups.length} members reaches beyond the possible range [${opts.bounds[0]}, ${opts.bounds[1]}] and is clipped to it`;
  }
  return { ...base, estimate: t.mean, lo, hi, method: 'student_t_over_groups', note };
}

/** A cluster of binary outcomes: k of n items (e.g. misaligned answers to one question). */
export interface BinaryCluster {
  k: number;
  n: number;
}

export type SharesIntervalMethod =
  | 'bootstrap_clusters_then_items'
  | 'wilson_single_cluster'
  | 'wilson_pooled_all_equal'
  | 'no_clusters';

export interface MeanOfSharesInterval {
  /** Clusters that entered the mean (those with n > 0). */
  nClusters: number;
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  method: SharesIntervalMethod;
  note: string | null;
  resamples: number;
  seed: number;
}

/**
 * The unweighted mean of per-cluster shares (e.g. the misaligned share averaged over questions,
 * each question counting once whatever its n) with a two-stage bootstrap: resample clusters,
 * then items within each drawn cluster. It treats the clusters as a sample of possible questions,
 * so it is wider than a pooled Wilson interval when questions differ — as they do in EM, where a
 * few questions carry most of the misalignment. Clusters with n = 0 are left out.
 */
export function meanOfSharesInterval(clusters: readonly BinaryCluster[], opts: BootstrapOptions = {}): MeanOfSharesInterval {
  const { resamples, confidence, seed } = resolve(opts);
  for (const c of clusters) {
    if (!Number.isInteger(c.n) || c.n < 0 || !Number.isInteger(c.k) || c.k < 0 || c.k > c.n) {
      throw new Error(`meanOfSharesInterval: each cluster needs integers 0 <= k <= n, got k=${c.k}, n=${c.n}`);
    }
  }
  const used = clusters.filter((c) => c.n > 0);
  const base = { nClusters: used.length, resamples, seed };
  if (used.length === 0) return { ...base, estimate: null, lo: null, hi: null, method: 'no_clusters', note: 'no cluster has any counted item' };
  if (used.length === 1) {
    const w = wilson(used[0]!.k, used[0]!.n, confidence);
    return {
      ...base,
      estimate: w.p,
      lo: w.lo,
      hi: w.hi,
      method: 'wilson_single_cluster',
      note: 'one cluster only: Wilson interval of its share',
    };
  }
  const estimate = mean(used.map((c) => c.k / c.n))!;
  if (used.every((c) => c.k === 0) || used.every((c) => c.k === c.n)) {
    // Every cluster at 0% (or 100%): every resample is too, and a percentile bootstrap would claim
    // a zero-width interval. The pooled Wilson interval is the honest statement of what 0 of N means.
    const w = wilson(
      used.reduce((s, c) => s + c.k, 0),
      used.reduce((s, c) => s + c.n, 0),
      confidence,
    );
    return {
      ...base,
      estimate,
      lo: w.lo,
      hi: w.hi,
      method: 'wilson_pooled_all_equal',
      note: `every cluster is at ${estimate * 100}%: a bootstrap cannot show uncertainty here, so the interval is the Wilson interval of all items pooled`,
    };
  }
  const rng = createRng(seed);
  const draws: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let j = 0; j < used.length; j++) {
      const c = used[rng.int(used.length)]!;
      // Resampling n items with replacement from k ones and n - k zeros is a Binomial(n, k/n) draw.
      sum += sampleBinomial(rng, c.n, c.k / c.n) / c.n;
    }
    draws.push(sum / used.length);
  }
  const { lo, hi } = percentileInterval(draws, confidence);
  return { ...base, estimate, lo, hi, method: 'bootstrap_clusters_then_items', note: null };
}
