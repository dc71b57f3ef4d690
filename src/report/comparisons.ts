/**
 * Comparisons of two models (answers are the unit: Fisher's exact test and a Newcombe interval on
 * counts) or of groups (member models, e.g. fine-tuning seeds, are the unit: an exact permutation
 * test as the primary test, Welch's t beside it and its interval for the difference; Fisher's test
 * on the pooled answers only as a secondary figure, since answers of one model are not independent).
 */
import {
  fisherExact,
  holmAdjust,
  newcombeDifference,
  permutationTest,
  welchTTest,
} from '../stats/index.js';
import type { GroupSpec, BootstrapSettings } from './groups.js';
import type { ComparisonEntry, ComparisonMeasure, ComparisonResult, JudgeQuestionResult, ModelOverall, PooledAnswersTest } from './results-types.js';
import { deriveSeed } from './seed.js';

export interface ComparisonSpec {
  a: string;
  b: string;
}

export interface ComparisonSettings extends BootstrapSettings {
  permutationResamples: number;
}

function countsEntry(k1: number, n1: number, k2: number, n2: number, confidence: number): ComparisonEntry {
  const noData = n1 === 0 || n2 === 0;
  return {
    a: n1 === 0 ? null : k1 / n1,
    b: n2 === 0 ? null : k2 / n2,
    difference: newcombeDifference(k1, n1, k2, n2, confidence),
    test: { method: 'fisher_exact_two_sided', pValue: noData ? null : fisherExact(k1, n1, k2, n2).pValue },
    note: noData ? 'a side has no counted answer' : null,
  };
}

function membersEntry(x: number[], y: number[], settings: ComparisonSettings, label: string): ComparisonEntry {
  const mean = (v: number[]): number | null => (v.length === 0 ? null : v.reduce((s, e) => s + e, 0) / v.length);
  if (x.length === 0 || y.length === 0) {
    return {
      a: mean(x),
      b: mean(y),
      difference: { estimate: null, lo: null, hi: null, method: 'welch_t' },
      test: { method: 'permutation_exact', pValue: null },
      welch: { method: 'welch_t_two_sided', pValue: null, t: null, df: null },
      note: 'a side has no member with a value',
    };
  }
  const welch = welchTTest(x, y, settings.confidence);
  const perm = permutationTest(x, y, { resamples: settings.permutationResamples, seed: deriveSeed(settings.seed, `${label}:permutation`) });
  const notes = [welch.note];
  if (perm.smallestPossiblePValue > 0.05) {
    notes.push(
      `only ${perm.permutations} ways to relabel the members: the smallest possible p-value is ${perm.smallestPossiblePValue.toPrecision(2)}`,
    );
  }
  return {
    a: mean(x),
    b: mean(y),
    difference: { estimate: welch.estimate, lo: welch.lo, hi: welch.hi, method: 'welch_t' },
    test: { method: perm.method === 'exact' ? 'permutation_exact' : 'permutation_monte_carlo', pValue: perm.pValue },
    welch: { method: 'welch_t_two_sided', pValue: welch.pValue, t: welch.t, df: welch.df },
    note: notes.filter((n): n is string => n !== null).join('; ') || null,
  };
}

/** Secondary: every answer of a side pooled, as if independent (they are not: they share a model). */
function pooledAnswersTest(a: { k: number; n: number }, b: { k: number; n: number }): PooledAnswersTest {
  return {
    method: 'fisher_exact_two_sided',
    role: 'secondary: treats the answers of all members as independent',
    kA: a.k, nA: a.n, kB: b.k, nB: b.n,
    pValue: a.n === 0 || b.n === 0 ? null : fisherExact(a.k, a.n, b.k, b.n).pValue,
  };
}

/** Member values of a group for the overall and per-question rows of a comparison of groups. */
export interface GroupMeasure {
  measure: ComparisonMeasure;
  overall: (model: string) => number | null | undefined;
  perQuestion: (model: string, questionId: string) => number | null | undefined;
  /** Counted hits and answers of a model, for the secondary pooled test; null leaves it out. */
  counts: ((model: string) => { k: number; n: number }) | null;
}

/**
 * Two groups (or a group and a model, a one-member side) compared on any per-model measure, the
 * members as the unit: the judge's misaligned share, or a judge-free one such as the catalogue match.
 */
export function groupComparison(
  spec: ComparisonSpec,
  membersOf: (name: string) => readonly string[],
  measure: GroupMeasure,
  questionIds: readonly string[],
  settings: ComparisonSettings,
): ComparisonResult {
  const valuesOf = (name: string, pick: (model: string) => number | null | undefined): number[] =>
    membersOf(name)
      .map(pick)
      .filter((v): v is number => v !== null && v !== undefined);
  const label = measure.measure === 'questionMean' ? `compare:${spec.a}:${spec.b}` : `compare:${measure.measure}:${spec.a}:${spec.b}`;
  const perQuestion = questionIds.map((questionId) => {
    const pick = (model: string): number | null | undefined => measure.perQuestion(model, questionId);
    return { questionId, ...membersEntry(valuesOf(spec.a, pick), valuesOf(spec.b, pick), settings, `${label}:${questionId}`) };
  });
  const sum = (name: string): { k: number; n: number } =>
    membersOf(name).reduce((acc, m) => {
      const c = measure.counts!(m);
      return { k: acc.k + c.k, n: acc.n + c.n };
    }, { k: 0, n: 0 });
  const pooled = measure.counts === null ? null : pooledAnswersTest(sum(spec.a), sum(spec.b));
  return {
    a: spec.a,
    b: spec.b,
    kind: 'groups',
    measure: measure.measure,
    overall: { ...membersEntry(valuesOf(spec.a, measure.overall), valuesOf(spec.b, measure.overall), settings, label), ...(pooled ? { pooledAnswers: pooled } : {}) },
    perQuestion: withHolm(perQuestion),
  };
}

export function comparisonResult(
  spec: ComparisonSpec,
  groups: ReadonlyMap<string, GroupSpec>,
  overall: ReadonlyMap<string, ModelOverall>,
  judgeCells: ReadonlyMap<string, ReadonlyMap<string, JudgeQuestionResult>>,
  judgeQuestionIds: readonly string[],
  settings: ComparisonSettings,
): ComparisonResult {
  const membersOf = (name: string): string[] => groups.get(name)?.members ?? [name];
  if (!groups.has(spec.a) && !groups.has(spec.b)) {
    const a = overall.get(spec.a)!;
    const b = overall.get(spec.b)!;
    const perQuestion = judgeQuestionIds.map((questionId) => {
      const ca = judgeCells.get(spec.a)?.get(questionId);
      const cb = judgeCells.get(spec.b)?.get(questionId);
      return { questionId, ...countsEntry(ca?.nMisaligned ?? 0, ca?.nCounted ?? 0, cb?.nMisaligned ?? 0, cb?.nCounted ?? 0, settings.confidence) };
    });
    return {
      a: spec.a,
      b: spec.b,
      kind: 'models',
      measure: 'pooled',
      overall: countsEntry(a.nMisaligned, a.nCounted, b.nMisaligned, b.nCounted, settings.confidence),
      perQuestion: withHolm(perQuestion),
    };
  }
  return groupComparison(spec, membersOf, {
    measure: 'questionMean',
    overall: (model) => overall.get(model)?.questionMean.estimate,
    perQuestion: (model, questionId) => judgeCells.get(model)?.get(questionId)?.misaligned.p,
    counts: (model) => ({ k: overall.get(model)?.nMisaligned ?? 0, n: overall.get(model)?.nCounted ?? 0 }),
  }, judgeQuestionIds, settings);
}

function withHolm<T extends ComparisonEntry>(entries: T[]): (T & { pValueHolm: number | null })[] {
  const adjusted = holmAdjust(entries.map((e) => e.test.pValue));
  return entries.map((e, i) => ({ ...e, pValueHolm: adjusted[i] ?? null }));
}
