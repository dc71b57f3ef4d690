/**
 * Self-reports per group. results.json gives each model's mean stated number per self-report
 * question; its groups cover the judged questions only, so the demo takes the mean over a group's
 * members here, with the same interval rule as the report's groups: a Student-t interval over members,
 * or a lone member's own (Student-t) interval.
 */
import { groupMeanInterval, type GroupIntervalMethod, type GroupValue } from '../../stats/index.js';
import { deriveSeed } from '../../report/seed.js';
import type { ResultsDocument, SelfNumberQuestionResult } from '../../report/results-types.js';

export interface GroupSelfReport {
  group: string;
  questionId: string;
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  nMembers: number;
  method: GroupIntervalMethod;
  /** Each member's mean stated number (null: no number could be read from its answers). */
  members: { model: string; value: number | null }[];
}

export function groupSelfReports(doc: ResultsDocument): GroupSelfReport[] {
  const cells = new Map<string, SelfNumberQuestionResult>();
  for (const r of doc.results) if (r.metricKind === 'self_number') cells.set(`${r.model}\u0000${r.questionId}`, r);
  const questions = doc.questions.filter((q) => q.metricKind === 'self_number').map((q) => q.questionId);
  return doc.groups.flatMap((g) => questions.map((questionId) => {
    const members = g.members.map((model) => ({ model, value: cells.get(`${model}\u0000${questionId}`)?.value.mean ?? null }));
    const values: GroupValue[] = g.members.flatMap((model) => {
      const v = cells.get(`${model}\u0000${questionId}`)?.value;
      return v && v.mean !== null ? [{ value: v.mean, lo: v.lo, hi: v.hi }] : [];
    });
    const interval = groupMeanInterval(values, {
      confidence: doc.statistics.confidence,
      resamples: doc.statistics.bootstrapResamples,
      seed: deriveSeed(doc.statistics.seed, `demo:self-report:${g.name}:${questionId}`),
      bounds: [0, 100],
    });
    return { group: g.name, questionId, estimate: interval.estimate, lo: interval.lo, hi: interval.hi, nMembers: interval.nGroups, method: interval.method, members };
  }));
}
