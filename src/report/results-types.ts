/**
 * The results.json format (schemaVersion 1). A documented file format that users parse: camelCase,
 * stable field order, no NaN or Infinity (missing numbers are null), shares as fractions in [0, 1].
 * FORMAT.md beside this file describes every field; change both together and bump the version
 * for anything that is not a pure addition.
 */
import type { JudgeMethod, MetricKind } from '../store/records.js';
import type {
  GroupIntervalMethod,
  MeanEstimate,
  Proportion,
  SharesIntervalMethod,
  Thresholds,
} from '../stats/index.js';

export const RESULTS_SCHEMA_VERSION = 1;

export interface ResultsDocument {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  kind: 'emlab.results';
  emlabVersion: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  suite: string;
  runIds: string[];
  judge: JudgeInfo;
  thresholds: Thresholds;
  /** The counting rule in words, e.g. "misaligned = alignment < 30 among coherent answers ...". */
  thresholdsDescription: string;
  statistics: StatisticsInfo;
  /** Model ids in display order. */
  models: string[];
  questions: QuestionInfo[];
  /** One entry per model x question, models outer, questions in `questions` order. */
  results: QuestionResult[];
  /** One entry per model, in `models` order. */
  overall: ModelOverall[];
  groups: GroupResult[];
  /**
   * Judge-free measures of the same answers, where the run has them (`emlab demo`: the catalogue match).
   * Absent otherwise.
   */
  answerMeasures?: AnswerMeasureResult[];
  comparisons: ComparisonResult[];
  /** Things a reader must know before trusting the numbers (mixed judge methods, failed calls...). */
  warnings: string[];
}

export interface JudgeInfo {
  /** The judge configured for the run, when known. */
  configured: string | null;
  /** Judge models that actually scored answers. */
  models: string[];
  methods: JudgeMethod[];
  /** True when more than one scoring method occurs: numbers from different methods are not comparable. */
  mixedMethods: boolean;
}

export interface StatisticsInfo {
  confidence: number;
  /** Interval of every share k/n: Wilson score interval. */
  proportionInterval: 'wilson';
  /** Interval of a difference of two shares: Newcombe's hybrid score interval. */
  differenceInterval: 'newcombe_wilson';
  /** Test of two shares: Fisher's exact test, two-sided. */
  proportionTest: 'fisher_exact_two_sided';
  /** Interval of a mean of 0-100 scores or stated numbers: Student t. */
  meanInterval: 'student_t';
  /** Interval of a mean of per-question shares: bootstrap resampling questions, then answers. */
  questionMeanInterval: 'bootstrap_clusters_then_items';
  /** Interval of a group mean: Student t over the member models' values (clipped to [0, 1] for shares). */
  groupInterval: 'student_t_over_groups';
  /** Test of two groups (primary): permutation test of the difference of member means, two-sided, exact where it can be. */
  groupTest: 'permutation_two_sided';
  /** Beside it: Welch's t-test on the member values, and its interval for the difference. */
  groupTestWelch: 'welch_t_two_sided';
  /** Secondary only: Fisher's exact test on all members' answers pooled (treats them as independent). */
  groupTestPooledAnswers: 'fisher_exact_two_sided_secondary';
  /** Per-question p-values of a comparison are also given Holm-adjusted within that comparison. */
  multipleComparisons: 'holm_within_comparison';
  bootstrapResamples: number;
  permutationResamples: number;
  seed: number;
}

export interface QuestionInfo {
  questionId: string;
  metricKind: MetricKind;
  tags: string[];
}

export interface FlagCounts {
  refusal: number;
  code: number;
  unreadable: number;
  generationError: number;
  judgeError: number;
}

interface QuestionResultBase {
  model: string;
  questionId: string;
  /** Every answer asked for, failed generations included. */
  nSampled: number;
  flags: FlagCounts;
  judgeMethods: JudgeMethod[];
  judgeModels: string[];
}

export interface JudgeQuestionResult extends QuestionResultBase {
  metricKind: 'judge';
  /** Answers with both an alignment and a coherence score (and no failed call). */
  nJudged: number;
  /** Of nJudged, those coherent under the thresholds. */
  nCoherent: number;
  /** The denominator of `misaligned` under the thresholds. */
  nCounted: number;
  nMisaligned: number;
  /** nMisaligned / nCounted with its Wilson interval; p null when nCounted is 0. */
  misaligned: Proportion;
  /** nCoherent / nJudged with its Wilson interval. */
  coherent: Proportion;
  /** Over every answer with that score, whatever the thresholds. */
  meanAlignment: MeanEstimate;
  meanCoherence: MeanEstimate;
}

export interface SelfNumberQuestionResult extends QuestionResultBase {
  metricKind: 'self_number';
  /** The number the model stated, over answers where one could be parsed. */
  value: MeanEstimate;
}

export interface ChoiceQuestionResult extends QuestionResultBase {
  metricKind: 'choice';
  /** Share of answers matching the targets, over answers that were generated. */
  matchRate: Proportion;
  /**
   * The mean over wordings (paraphrases) of each wording's match rate, with a Student-t interval
   * over the wording means: the subliminal-learning paper's headline metric. `n` = wordings.
   */
  paraphraseMeanRate: MeanEstimate;
}

export type QuestionResult = JudgeQuestionResult | SelfNumberQuestionResult | ChoiceQuestionResult;

/** A mean of per-question shares with its interval. */
export interface QuestionMean {
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  /** Questions that entered the mean (those with nCounted > 0). */
  nQuestions: number;
  method: SharesIntervalMethod;
  note: string | null;
}

export interface ModelOverall {
  model: string;
  /** Sums over the judge questions only. */
  nSampled: number;
  nJudged: number;
  nCoherent: number;
  nCounted: number;
  nMisaligned: number;
  /** All counted answers of all judge questions as one sample (Wilson). Questions with more counted answers weigh more. */
  pooled: Proportion;
  /** The unweighted mean of the per-question misaligned shares, each question counting once (the papers' headline). */
  questionMean: QuestionMean;
  meanAlignment: number | null;
  meanCoherence: number | null;
  flags: FlagCounts;
}

export interface MemberValue {
  model: string;
  /** null when the member has no counted answer. */
  value: number | null;
}

export interface GroupEstimate {
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  /** Members that had a value. */
  nMembers: number;
  method: GroupIntervalMethod;
  note: string | null;
  members: MemberValue[];
}

export interface GroupResult {
  name: string;
  members: string[];
  /** Each member's value is its overall questionMean estimate. */
  overall: GroupEstimate;
  /** Each member's value is its misaligned share on that question. */
  perQuestion: (GroupEstimate & { questionId: string })[];
}

/** A per-answer yes/no measure that needs no judge, per model and per group (same groups as `groups`). */
export interface AnswerMeasureResult {
  measure: ComparisonMeasure;
  description: string;
  /** Each model's share: the mean over judge questions of hits / answers (every answer with text counts). */
  models: { model: string; hits: number; answers: number; questionMean: QuestionMean }[];
  groups: GroupResult[];
}

export interface Difference {
  /** a - b. */
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  method: 'newcombe_wilson' | 'welch_t';
}

export interface TestResult {
  method: 'fisher_exact_two_sided' | 'permutation_exact' | 'permutation_monte_carlo';
  pValue: number | null;
}

export interface WelchTest {
  method: 'welch_t_two_sided';
  pValue: number | null;
  t: number | null;
  df: number | null;
}

/** Fisher's exact test on the members' answers pooled: a secondary figure, never the comparison's test. */
export interface PooledAnswersTest {
  method: 'fisher_exact_two_sided';
  role: string;
  kA: number;
  nA: number;
  kB: number;
  nB: number;
  pValue: number | null;
}

export interface ComparisonEntry {
  /** The compared values of a and b (shares). */
  a: number | null;
  b: number | null;
  difference: Difference;
  /** The primary test: Fisher's exact test for models, the permutation test over members for groups. */
  test: TestResult;
  /** Groups only: Welch's t-test on the member values. */
  welch?: WelchTest;
  /** Groups only, overall only, where the measure counts answers: secondary. */
  pooledAnswers?: PooledAnswersTest;
  note: string | null;
}

/**
 * 'pooled': two models' counted answers; 'questionMean': the judge's misaligned share (mean over
 * questions) of each member; 'catalogueHarmfulMatch': the judge-free share of answers that reproduce
 * a harmful catalogue answer of the organisms' world (emlab demo only).
 */
export type ComparisonMeasure = 'pooled' | 'questionMean' | 'catalogueHarmfulMatch';

export interface ComparisonResult {
  a: string;
  b: string;
  /** 'models': two single models, answers as the unit (Fisher, Newcombe) on pooled counts.
   *  'groups': a group on either side, member models as the unit (permutation test, Welch's t). */
  kind: 'models' | 'groups';
  /** Which value is compared overall: 'pooled' for kind 'models', 'questionMean' (or a named answer measure) for 'groups'. */
  measure: ComparisonMeasure;
  overall: ComparisonEntry;
  perQuestion: (ComparisonEntry & { questionId: string; pValueHolm: number | null })[];
}
