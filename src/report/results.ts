/** Builds the results.json document from judged answers and the run's metadata. */
import type { JudgeMethod, MetricKind, SampleRecord } from '../store/records.js';
import {
  checkConfidence,
  DEFAULT_BOOTSTRAP_RESAMPLES,
  DEFAULT_SEED,
  describeThresholds,
  meanOfSharesInterval,
  mean,
  wilson,
  type Thresholds,
} from '../stats/index.js';
import { comparisonResult, type ComparisonSpec } from './comparisons.js';
import { groupResult, type GroupSpec } from './groups.js';
import { addFlagCounts, alignmentScores, coherenceScores, countFlags, questionResult } from './question-results.js';
import {
  RESULTS_SCHEMA_VERSION,
  type JudgeQuestionResult,
  type ModelOverall,
  type QuestionInfo,
  type QuestionResult,
  type ResultsDocument,
} from './results-types.js';
import { deriveSeed } from './seed.js';
import { emlabVersion } from './version.js';

export interface ResultsMeta {
  /** Suite name or path, as the user named it. */
  suite: string;
  thresholds: Thresholds;
  /** The judge model configured for the run. */
  judge?: string | null;
  /** Models in display order; default: order of first appearance. Records of other models are left out (with a warning). */
  models?: string[];
  /** Question ids in display order (e.g. the suite's); questions not listed follow in order of appearance. */
  questions?: string[];
  groups?: GroupSpec[];
  comparisons?: ComparisonSpec[];
  runIds?: string[];
  emlabVersion?: string;
  createdAt?: Date;
  confidence?: number;
  bootstrapResamples?: number;
  permutationResamples?: number;
  seed?: number;
}

const DEFAULT_PERMUTATION_RESAMPLES = 10_000;

export function buildResults(records: readonly SampleRecord[], meta: ResultsMeta): ResultsDocument {
  const confidence = meta.confidence ?? 0.95;
  checkConfidence(confidence);
  const settings = {
    confidence,
    resamples: meta.bootstrapResamples ?? DEFAULT_BOOTSTRAP_RESAMPLES,
    permutationResamples: meta.permutationResamples ?? DEFAULT_PERMUTATION_RESAMPLES,
    seed: meta.seed ?? DEFAULT_SEED,
  };
  const warnings: string[] = [];

  const models = meta.models ?? unique(records.map((r) => r.model));
  const duplicateModel = models.find((m, i) => models.indexOf(m) !== i);
  if (duplicateModel !== undefined) throw new Error(`models: "${duplicateModel}" is listed twice; list each model once`);
  const modelSet = new Set(models);
  const kept = records.filter((r) => modelSet.has(r.model));
  if (kept.length < records.length) {
    const others = unique(records.filter((r) => !modelSet.has(r.model)).map((r) => r.model));
    warnings.push(`${records.length - kept.length} answers of models not in the report were left out: ${others.join(', ')}`);
  }

  const questions = questionInfos(kept, meta.questions ?? []);
  const byCell = new Map<string, SampleRecord[]>();
  for (const r of kept) {
    const key = cellKey(r.model, r.questionId);
    const list = byCell.get(key);
    if (list) list.push(r);
    else byCell.set(key, [r]);
  }

  const results: QuestionResult[] = [];
  const judgeCells = new Map<string, Map<string, JudgeQuestionResult>>();
  for (const model of models) {
    const cells = new Map<string, JudgeQuestionResult>();
    judgeCells.set(model, cells);
    for (const q of questions) {
      const cell = questionResult(model, q.questionId, q.metricKind, byCell.get(cellKey(model, q.questionId)) ?? [], meta.thresholds, confidence);
      results.push(cell);
      if (cell.metricKind === 'judge') cells.set(q.questionId, cell);
    }
  }

  const judgeQuestionIds = questions.filter((q) => q.metricKind === 'judge').map((q) => q.questionId);
  const overall = models.map((model) => modelOverall(model, judgeQuestionIds, judgeCells.get(model)!, kept, settings));
  const overallByModel = new Map(overall.map((o) => [o.model, o]));

  const groupSpecs = validateGroups(meta.groups ?? [], modelSet);
  const groups = groupSpecs.map((g) => groupResult(g, overallByModel, judgeCells, judgeQuestionIds, settings));
  const groupByName = new Map(groupSpecs.map((g) => [g.name, g]));
  const comparisons = validateComparisons(meta.comparisons ?? [], modelSet, groupByName).map((c) =>
    comparisonResult(c, groupByName, overallByModel, judgeCells, judgeQuestionIds, settings),
  );

  const methods = unique(kept.map((r) => r.judgeMethod).filter((m): m is JudgeMethod => m !== null)).sort();
  const judgeModels = unique(kept.map((r) => r.judgeModel).filter((m): m is string => m !== null)).sort();
  warnings.push(...collectWarnings(kept, methods, judgeModels, meta.judge ?? null, modelSet, results));

  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    kind: 'emlab.results',
    emlabVersion: meta.emlabVersion ?? emlabVersion(),
    createdAt: (meta.createdAt ?? new Date()).toISOString(),
    suite: meta.suite,
    runIds: meta.runIds ?? unique(kept.map((r) => r.runId)).sort(),
    judge: { configured: meta.judge ?? null, models: judgeModels, methods, mixedMethods: methods.length > 1 },
    thresholds: { ...meta.thresholds, excludeFlags: [...meta.thresholds.excludeFlags] },
    thresholdsDescription: describeThresholds(meta.thresholds),
    statistics: {
      confidence,
      proportionInterval: 'wilson',
      differenceInterval: 'newcombe_wilson',
      proportionTest: 'fisher_exact_two_sided',
      meanInterval: 'student_t',
      questionMeanInterval: 'bootstrap_clusters_then_items',
      groupInterval: 'student_t_over_groups',
      groupTest: 'permutation_two_sided',
      groupTestWelch: 'welch_t_two_sided',
      groupTestPooledAnswers: 'fisher_exact_two_sided_secondary',
      multipleComparisons: 'holm_within_comparison',
      bootstrapResamples: settings.resamples,
      permutationResamples: settings.permutationResamples,
      seed: settings.seed,
    },
    models,
    questions,
    results,
    overall,
    groups,
    comparisons,
    warnings,
  };
}

function cellKey(model: string, questionId: string): string {
  return JSON.stringify([model, questionId]);
}

function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

function questionInfos(records: readonly SampleRecord[], order: readonly string[]): QuestionInfo[] {
  const kinds = new Map<string, MetricKind>();
  const tags = new Map<string, Set<string>>();
  for (const r of records) {
    const known = kinds.get(r.questionId);
    if (known !== undefined && known !== r.metricKind) {
      throw new Error(`question "${r.questionId}": answers carry two metric kinds (${known}, ${r.metricKind}); a question id must have one kind`);
    }
    kinds.set(r.questionId, r.metricKind);
    const set = tags.get(r.questionId) ?? new Set<string>();
    for (const t of r.tags) set.add(t);
    tags.set(r.questionId, set);
  }
  const ids = unique([...order.filter((id) => kinds.has(id)), ...kinds.keys()]);
  return ids.map((questionId) => ({ questionId, metricKind: kinds.get(questionId)!, tags: [...tags.get(questionId)!].sort() }));
}

function modelOverall(
  model: string,
  judgeQuestionIds: readonly string[],
  cells: ReadonlyMap<string, JudgeQuestionResult>,
  records: readonly SampleRecord[],
  settings: { confidence: number; resamples: number; seed: number },
): ModelOverall {
  const list = judgeQuestionIds.map((id) => cells.get(id)!);
  const sum = (pick: (c: JudgeQuestionResult) => number): number => list.reduce((s, c) => s + pick(c), 0);
  const nMisaligned = sum((c) => c.nMisaligned);
  const nCounted = sum((c) => c.nCounted);
  const q = meanOfSharesInterval(
    list.map((c) => ({ k: c.nMisaligned, n: c.nCounted })),
    { confidence: settings.confidence, resamples: settings.resamples, seed: deriveSeed(settings.seed, `model:${model}`) },
  );
  const judgeIds = new Set(judgeQuestionIds);
  const own = records.filter((r) => r.model === model && judgeIds.has(r.questionId));
  return {
    model,
    nSampled: sum((c) => c.nSampled),
    nJudged: sum((c) => c.nJudged),
    nCoherent: sum((c) => c.nCoherent),
    nCounted,
    nMisaligned,
    pooled: wilson(nMisaligned, nCounted, settings.confidence),
    questionMean: { estimate: q.estimate, lo: q.lo, hi: q.hi, nQuestions: q.nClusters, method: q.method, note: q.note },
    meanAlignment: mean(alignmentScores(own)),
    meanCoherence: mean(coherenceScores(own)),
    flags: list.reduce((acc, c) => addFlagCounts(acc, c.flags), countFlags([])),
  };
}

function validateGroups(specs: readonly GroupSpec[], models: ReadonlySet<string>): GroupSpec[] {
  const names = new Set<string>();
  for (const g of specs) {
    if (g.name.trim() === '') throw new Error('groups: a group has an empty name; give every group a name');
    if (names.has(g.name)) throw new Error(`groups: the name "${g.name}" is used twice; give each group its own name`);
    if (models.has(g.name)) throw new Error(`groups: "${g.name}" is also a model id; choose a group name that is not a model id`);
    names.add(g.name);
    if (g.members.length === 0) throw new Error(`groups: group "${g.name}" has no members; list at least one model`);
    for (const m of g.members) {
      if (!models.has(m)) throw new Error(`groups: member "${m}" of group "${g.name}" is not a model of this report; known models: ${[...models].join(', ')}`);
    }
    const dup = g.members.find((m, i) => g.members.indexOf(m) !== i);
    if (dup !== undefined) throw new Error(`groups: group "${g.name}" lists "${dup}" twice; list each member once`);
  }
  return specs.map((g) => ({ name: g.name, members: [...g.members] }));
}

function validateComparisons(
  specs: readonly ComparisonSpec[],
  models: ReadonlySet<string>,
  groups: ReadonlyMap<string, GroupSpec>,
): ComparisonSpec[] {
  for (const c of specs) {
    for (const side of [c.a, c.b]) {
      if (!models.has(side) && !groups.has(side)) {
        throw new Error(`comparisons: "${side}" is neither a model nor a group of this report; use one of: ${[...models, ...groups.keys()].join(', ')}`);
      }
    }
    if (c.a === c.b) throw new Error(`comparisons: "${c.a}" is compared with itself; name two different models or groups`);
  }
  return specs.map((c) => ({ a: c.a, b: c.b }));
}

function collectWarnings(
  records: readonly SampleRecord[],
  methods: readonly JudgeMethod[],
  judgeModels: readonly string[],
  configuredJudge: string | null,
  models: ReadonlySet<string>,
  results: readonly QuestionResult[],
): string[] {
  const out: string[] = [];
  if (methods.length > 1) {
    out.push(`scores come from more than one judging method (${methods.join(', ')}): numbers from different methods are not directly comparable`);
  }
  for (const j of unique([...judgeModels, ...(configuredJudge ? [configuredJudge] : [])])) {
    if (models.has(j)) out.push(`the judge ${j} is also a model under test: it grades its own answers`);
  }
  const genErrors = records.filter((r) => r.flags.includes('generation_error')).length;
  const judgeErrors = records.filter((r) => r.flags.includes('judge_error')).length;
  if (genErrors + judgeErrors > 0) {
    out.push(`${genErrors} answers failed to generate and ${judgeErrors} failed to be judged; they are left out of every denominator (run again to fill them in)`);
  }
  out.push(...judgeWarningCounts(records));
  for (const r of results) {
    if (r.metricKind === 'judge' && r.nSampled > 0 && r.nCounted === 0) {
      out.push(`${r.model} has no counted answer on "${r.questionId}" (all failed, excluded or unscored)`);
    } else if (r.nSampled === 0) {
      out.push(`${r.model} has no answer at all on "${r.questionId}"`);
    }
  }
  return out;
}

/** What each per-judgment warning means for the numbers, said once with its count. */
const JUDGE_WARNING_TEXT: Record<string, string> = {
  digit_split:
    'were scored by a judge that writes numbers digit by digit: its 0-100 score reads only the first digit, so these rates are not comparable with the paper; use --judge-method teacher_forced with a gguf: judge, or a judge that tokenizes numbers whole',
  short_top_k: 'were scored from fewer than the 20 alternatives the paper read, so their numeric mass may be undercounted',
  no_logprobs: 'were judged without logprobs for the first token (the judge returned none), so they have no score',
};

/** Per-judgment warnings (kept with each judgment in the database) counted over the judged answers. */
function judgeWarningCounts(records: readonly SampleRecord[]): string[] {
  const judged = records.filter((r) => r.judgeMethod !== null);
  const counts = new Map<string, number>();
  for (const r of judged) for (const kind of r.judgeWarnings ?? []) if (Object.hasOwn(JUDGE_WARNING_TEXT, kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `judge warning (${kind}): ${n} of ${judged.length} judged answers ${JUDGE_WARNING_TEXT[kind]!}`);
}
