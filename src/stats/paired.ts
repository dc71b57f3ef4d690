/**
 * The paired t-test: mean(x - y) over matched pairs, its Student-t interval and two-sided test (as R's
 * t.test(paired = TRUE) and scipy's ttest_rel). For designs where the same unit is measured under two
 * conditions, e.g. fine-tunes that share a seed (initialisation and data order) and differ only in
 * their data: what the seed does to both sides cancels, which Welch's test over the two sides cannot use.
 */
import { studentTCdf } from './distributions.js';
import { meanWithTInterval } from './mean.js';

export interface PairedResult {
  /** Pairs with both values finite. */
  n: number;
  /** mean(x - y) with its t-interval (df = n - 1). */
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  t: number | null;
  /** Two-sided. */
  pValue: number | null;
  note: string | null;
}

export function pairedTTest(x: readonly (number | null)[], y: readonly (number | null)[], confidence = 0.95): PairedResult {
  if (x.length !== y.length) throw new Error(`pairedTTest: x and y must be matched pairs, got ${x.length} and ${y.length} values`);
  const d: number[] = [];
  x.forEach((xi, i) => {
    const yi = y[i];
    if (xi !== null && yi !== null && yi !== undefined && Number.isFinite(xi) && Number.isFinite(yi)) d.push(xi - yi);
  });
  const m = meanWithTInterval(d, confidence);
  const none = { n: d.length, estimate: m.mean, lo: null, hi: null, t: null, pValue: null };
  if (d.length < 2) return { ...none, note: 'a paired t-test needs at least 2 pairs' };
  // A spread at rounding level (pairs that differ by the same amount, computed in floating point) is none.
  if (m.sd! <= 1e-12 * Math.max(...d.map(Math.abs))) return { ...none, note: 'every pair differs by the same amount: the paired t-test is undefined' };
  const t = m.mean! / (m.sd! / Math.sqrt(d.length));
  return { n: d.length, estimate: m.mean, lo: m.lo, hi: m.hi, t, pValue: Math.min(1, 2 * studentTCdf(-Math.abs(t), d.length - 1)), note: null };
}
