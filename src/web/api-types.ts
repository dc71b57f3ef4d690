/**
 * The viewer's JSON API: what the server sends and the pages read. Shared by both sides (type-only
 * imports), so a change of shape is a compile error on both.
 */
import type { ComparisonResult, ModelOverall, QuestionResult, ResultsDocument } from '../report/results-types.js';
import type { SampleFlag } from '../store/records.js';

export interface SourceInfo {
  /** Short stable id of the database file (a hash of its path). */
  id: string;
  path: string;
  /** Why it could not be read, when it could not. */
  error: string | null;
}

export interface RunSummary {
  id: string;
  db: string;
  dbPath: string;
  suites: string[];
  models: string[];
  questions: number;
  judge: string | null;
  status: string;
  createdAt: string;
  updatedAt: string;
  planned: number;
  answered: number;
  failed: number;
}

export interface RunsResponse {
  sources: SourceInfo[];
  runs: RunSummary[];
}

/** One answer's place in the scatter and histograms: [model index, question index, alignment, coherence, verdict]. */
export type AnswerPoint = [number, number, number | null, number | null, Verdict];

export type Verdict = 'misaligned' | 'aligned' | 'excluded';

export interface RunResponse {
  run: RunSummary;
  doc: ResultsDocument;
  points: AnswerPoint[];
  /** Where the offered groups came from: named in the run's results.json, or inferred from seed parts of model ids. */
  groupsFrom: 'results.json' | 'model ids' | null;
}

/** What the world that produced an answer knows about it (organisms only). */
export interface GroundTruth {
  /** The world's label, e.g. the catalogue grade good / flat / edgy / bad / unmatched. */
  label: string;
  /** Where the label comes from, in words. */
  source: string;
}

export interface SampleView {
  model: string;
  questionId: string;
  sampleIndex: number;
  paraphraseIndex: number;
  prompt: string;
  /** The answer, cut to `answerShown` characters in lists. */
  answer: string | null;
  answerLength: number;
  alignment: number | null;
  coherence: number | null;
  flags: SampleFlag[];
  verdict: Verdict;
  value: number | null;
  truth: GroundTruth | null;
  /** What each judge model said (in lists of samples and in one sample's detail). */
  judgments?: JudgmentView[];
}

export interface SamplesResponse {
  total: number;
  offset: number;
  limit: number;
  /** Characters of each answer included in this list. */
  answerShown: number;
  samples: SampleView[];
  models: string[];
  questions: string[];
}

export interface JudgeBar {
  value: number;
  p: number;
}

export interface JudgmentView {
  metric: string;
  judgeModel: string;
  method: string;
  score: number | null;
  flag: string | null;
  category: string | null;
  numericMass: number | null;
  /** The judge's probability on each number 0-100 it gave (from the stored top-k or replies). */
  bars: JudgeBar[];
  codeMass: number | null;
  refusalMass: number | null;
  /** The stored alternatives as they came: token and probability. */
  top: { token: string; p: number }[];
  warning: string | null;
}

export interface SampleDetailResponse {
  sample: SampleView;
  judgments: JudgmentView[];
}

export interface JudgeRequestView {
  /** The metric this request was for, when the stored reply identifies it. */
  metric: string | null;
  kind: 'chat' | 'score';
  /** The messages sent, as stored. */
  messages: { role: string; content: string }[];
  /** The other request fields (temperature, max tokens, top logprobs ...). */
  settings: Record<string, unknown>;
}

export interface JudgeRequestResponse {
  judgeModel: string | null;
  requests: JudgeRequestView[];
  note: string | null;
}

export interface CompareSide {
  label: string;
  run: string;
  /** A model id or a group name. */
  name: string;
  members: string[];
}

export interface CompareResponse {
  a: CompareSide;
  b: CompareSide;
  comparison: ComparisonResult;
  overall: ModelOverall[];
  /** Per question: each side's cells (its member models). */
  cells: QuestionResult[];
  /**
   * Per question and side: the misaligned share with its interval; for a model, over its answers
   * (Wilson, n answers); for a group, the mean over its members (Student-t over members, n members).
   */
  shares: { questionId: string; side: 'a' | 'b'; p: number; lo: number; hi: number; n: number }[];
  questions: string[];
  /** Per question: a few answers of each side, paired by sample index. */
  pairs: { questionId: string; prompt: string; a: SampleView[]; b: SampleView[] }[];
  thresholdsDescription: string;
  /** The confidence level of every interval (results.json statistics.confidence). */
  confidence: number;
}

export interface ApiError {
  error: string;
}

/** One step of an experiment: its status in the experiment's results.json, and its stored hash when finished. */
export interface ExperimentStepView {
  id: string;
  kind: string;
  /** done, cached, failed, incomplete, skipped, planned (results.json); stored (in the database only). */
  status: string;
  detail: string;
  /** The hash of the step's inputs it is stored under (finished evaluations), else null. */
  hash: string | null;
  storedAt: string | null;
}

/** A group of an evaluation as the experiment's results.json reports it (the report's Student-t over members). */
export interface ExperimentGroupView {
  name: string;
  members: string[];
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  nMembers: number;
  method: string;
}

export interface ExperimentComparisonView {
  a: string;
  b: string;
  kind: string;
  difference: { estimate: number | null; lo: number | null; hi: number | null; method: string };
  test: { method: string; pValue: number | null };
  /** Groups only: Welch's t on member values, beside the permutation test. */
  welchPValue: number | null;
}

export interface ExperimentView {
  name: string;
  /** The experiment's folder (where its emlab.db and results.json are). */
  dir: string;
  db: string;
  dbPath: string;
  /** complete or incomplete (results.json), or running: steps stored but no results.json yet. */
  status: string;
  updatedAt: string | null;
  steps: ExperimentStepView[];
  evaluations: {
    name: string;
    status: string;
    suite: string | null;
    /** The evaluation's run in the viewer, when the database holds it. */
    run: { id: string; db: string } | null;
    groups: ExperimentGroupView[];
    comparisons: ExperimentComparisonView[];
  }[];
}

export interface ExperimentsResponse {
  experiments: ExperimentView[];
}
