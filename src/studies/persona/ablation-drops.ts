/**
 * Relative drops of a misaligned share under ablation, per fine-tune. The denominator is the
 * fine-tune's unablated share over both samplings pooled (the original, sampling seed 11, and the
 * resampling, seed 12; twice the answers), so one sampling's noise does not enter every drop of its
 * fine-tune alike: on development seeds 1-3 a mere resampling "dropped" evil-numbers' share by 47%
 * against the original sampling alone (README, "Where the random drop comes from"). The single-sampling
 * drop is kept beside it, and the noise floor (the resampling itself) is always read against the
 * original sampling: a pooled denominator would contain it.
 */
import type { AblationRow, ConditionShares } from './results.js';

export type ShareKey = 'misaligned' | 'catalogue' | 'catalogueCoherent';
export type DropDenominator = 'pooled' | 'single';

export const DROP_DENOMINATOR: Record<DropDenominator, string> = {
  pooled: 'relative to the unablated share of both samplings pooled (sampling seeds 11 and 12)',
  single: 'relative to the unablated share of the original sampling alone (seed 11, the sampling seed of the ablated answers)',
};

/** The fine-tune's unablated share: the original sampling alone, or both samplings pooled. */
export function unablatedShare(row: AblationRow, key: ShareKey, denominator: DropDenominator): number | null {
  if (denominator === 'single') return row.before[key].estimate;
  const n = row.before[key].n + row.resampled[key].n;
  return n === 0 ? null : (row.before[key].k + row.resampled[key].k) / n;
}

/** 1 - after / unablated for every condition `pick` gives of every row; undefined drops (no answers, or an unablated share of 0) left out. */
export function relativeDrops(rows: readonly AblationRow[], key: ShareKey, pick: (r: AblationRow) => ConditionShares[], denominator: DropDenominator): number[] {
  return rows.flatMap((r) => {
    const before = unablatedShare(r, key, denominator);
    return pick(r).map((c) => (before === null || before === 0 || c[key].estimate === null ? null : 1 - c[key].estimate! / before));
  }).filter((x): x is number => x !== null);
}
