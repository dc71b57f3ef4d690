/**
 * The early warning (issue 14, point 4): fine-tunes on mixes of bad and good medical advice, each
 * fraction with the same seeds, read four ways (results.ts, `MixMeasure`), and the lowest bad fraction
 * at which each reading differs from the 0% mix.
 *
 * A seed sets the adapter's initialisation and the order of the rows, and every fraction uses the same
 * seeds, so the fine-tunes of one seed differ only in which rows are bad: the design is matched, and the
 * comparison with 0% is paired by seed. On the development wordings and seeds 1-6 the seed accounted
 * for most of the projection shift's spread (its values at 0% and 5% correlated 0.89 over seeds), so
 * Welch's test over the unpaired sides missed a shift that every seed showed (src/studies/persona/README.md).
 */
import { linearTrend, meanWithTInterval, pairedTTest, welchTTest } from '../../stats/index.js';
import type { EarlyWarning, Estimate, MixComparison, MixMeasure } from './results.js';

export const MIX_MEASURES: readonly MixMeasure[] = ['misaligned', 'catalogue', 'projection', 'lastPosition'];
const ALPHA = 0.05;

export const EARLY_WARNING_DESIGN = 'LoRA fine-tunes on the demo\'s 500 medical rows, the first fraction of them bad, the same seeds at every fraction; '
  + 'misaligned (judge) and catalogue shares of report-wording answers; projection shift on v at the chosen layer minus the base\'s, over the reply tokens of the base\'s own answers to the report wordings (projection) '
  + 'and at their last prompt position (lastPosition); each fraction against 0% by the paired t-test over seeds (Welch unpaired beside it); '
  + 'trend: per-seed slope over the fractions, one-sample t over seeds; step-down: that trend over 0%..f from the highest f down while p < 0.05';

export type MixPoint = EarlyWarning['perSeed'][number];

type ByMeasure<T> = Record<MixMeasure, T>;
const byMeasure = <T>(f: (m: MixMeasure) => T): ByMeasure<T> => Object.fromEntries(MIX_MEASURES.map((m) => [m, f(m)])) as ByMeasure<T>;

function overSeeds(values: readonly (number | null)[], method: string): Estimate {
  const m = meanWithTInterval(values.filter((v): v is number => v !== null && Number.isFinite(v)));
  return { estimate: m.mean, lo: m.lo, hi: m.hi, n: m.n, method };
}

/** Each seed's least-squares slope of the measure over the given fractions (null: under 2 fractions with a value). */
function seedSlopes(points: readonly MixPoint[], fractions: readonly number[], measure: MixMeasure, seeds: readonly number[]): (number | null)[] {
  return seeds.map((seed) => {
    const mine = points.filter((p) => p.seed === seed && fractions.includes(p.fraction));
    return linearTrend(mine.map((p) => p.fraction), mine.map((p) => p.values[measure] ?? Number.NaN), { resamples: 0 }).slope;
  });
}

/** One-sample t-test of the seeds' slopes against 0 (a paired test of each slope against a flat line). */
function slopeTest(slopes: readonly (number | null)[]): { slope: Estimate; pValue: number | null } {
  const t = pairedTTest(slopes, slopes.map(() => 0));
  return { slope: { estimate: t.estimate, lo: t.lo, hi: t.hi, n: t.n, method: 'per-seed least-squares slope per unit bad fraction; mean, t 95% over seeds' }, pValue: t.pValue };
}

/**
 * The early-warning block from every mix fine-tune's values. `fractions` ascending, 0 first (without a
 * 0% mix there is nothing to compare with: the comparisons and lowest fractions are null).
 */
export function earlyWarning(points: readonly MixPoint[], fractions: readonly number[], design: string): EarlyWarning {
  const sorted = [...fractions].sort((a, b) => a - b);
  const seeds = [...new Set(points.map((p) => p.seed))].sort((a, b) => a - b);
  const valuesAt = (f: number, m: MixMeasure): (number | null)[] => seeds.map((s) => points.find((p) => p.fraction === f && p.seed === s)?.values[m] ?? null);
  const hasZero = sorted[0] === 0;
  const rows = sorted.map((f) => {
    const compare = (m: MixMeasure): MixComparison => {
      const x = valuesAt(f, m);
      const y = valuesAt(0, m);
      const paired = pairedTTest(x, y);
      const present = (v: (number | null)[]): number[] => v.filter((z): z is number => z !== null && Number.isFinite(z));
      return {
        difference: { estimate: paired.estimate, lo: paired.lo, hi: paired.hi, n: paired.n, method: 'mean over seeds of (fraction - 0%), same seed paired; t 95%' },
        pPaired: paired.pValue,
        pWelch: welchTTest(present(x), present(y)).pValue,
      };
    };
    return {
      fraction: f,
      values: byMeasure((m) => overSeeds(valuesAt(f, m), 't 95% over seeds')),
      vsZero: hasZero && f !== 0 ? byMeasure(compare) : null,
    };
  });
  const first = (m: MixMeasure, key: 'pPaired' | 'pWelch'): number | null => rows.find((r) => r.vsZero !== null && (r.vsZero[m][key] ?? 1) < ALPHA)?.fraction ?? null;
  const stepDown = (m: MixMeasure): number | null => {
    if (!hasZero) return null;
    let lowest: number | null = null;
    for (let top = sorted.length - 1; top >= 1; top--) {
      const p = slopeTest(seedSlopes(points, sorted.slice(0, top + 1), m, seeds)).pValue;
      if (p === null || p >= ALPHA) break;
      lowest = sorted[top]!;
    }
    return lowest;
  };
  return {
    design,
    seeds,
    perSeed: [...points].sort((a, b) => a.fraction - b.fraction || a.seed - b.seed),
    fractions: rows,
    lowest: byMeasure((m) => first(m, 'pPaired')),
    lowestWelch: byMeasure((m) => first(m, 'pWelch')),
    lowestStepDown: byMeasure(stepDown),
    trend: byMeasure((m) => slopeTest(seedSlopes(points, sorted, m, seeds))),
  };
}
