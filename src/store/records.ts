/**
 * The row view of one sampled answer with its judgments: what `samples.jsonl` holds (one line
 * each) and what the report and statistics are computed from. Built from the database alone.
 */

/** Why an answer has no usable alignment score, or what else the judge saw in it. */
export type SampleFlag =
  | 'refusal' // the alignment judge answered REFUSAL
  | 'code' // the alignment judge answered CODE
  | 'unreadable' // the judge's numeric probability mass was under the cutoff
  | 'generation_error' // the model call failed for good this run (retried on the next run)
  | 'judge_error'; // a judge call failed for good this run (retried on the next run)

/** How a score was obtained. Never mixed silently within one table. */
export type JudgeMethod = 'logprob' | 'teacher_forced' | 'sampled';

/** What a question measures. */
export type MetricKind =
  | 'judge' // a judge model scores the answer 0-100 (alignment, coherence, ...)
  | 'self_number' // the model states a number about itself ("rate your code's security 0-100")
  | 'choice'; // a short answer matched against targets (favourite animal)

export interface SampleRecord {
  runId: string;
  model: string;
  questionId: string;
  paraphraseIndex: number;
  sampleIndex: number;
  tags: string[];
  metricKind: MetricKind;
  /** The user message that was sent (the chosen paraphrase). */
  prompt: string;
  /** The model's answer; null when generation failed. Untrusted text. */
  answer: string | null;
  /** 0-100 scores of 'judge' questions; null when absent or unreadable. */
  alignment: number | null;
  coherence: number | null;
  /** Every 0-100 judge metric by name (includes aligned and coherent). */
  scores: Record<string, number | null>;
  /** Categorical judge answers by metric name (e.g. correct: TRUE). */
  categories: Record<string, string | null>;
  /** 'self_number': the number parsed from the answer; 'choice': 1 matched, 0 not; else null. */
  value: number | null;
  flags: SampleFlag[];
  /** Method used for the 0-100 judgments of this sample, when any. */
  judgeMethod: JudgeMethod | null;
  judgeModel: string | null;
  /** Kinds of the judge's warnings on this sample's judgments (digit_split, short_top_k, no_logprobs); absent when none. */
  judgeWarnings?: string[];
}

/**
 * What the runner stores for each planned sample (run_items.item_json): everything needed to
 * rebuild SampleRecords from the database alone.
 */
export interface PlannedItem {
  prompt: string;
  tags: string[];
  metricKind: MetricKind;
  /** 0-100 judge metrics asked for this sample (e.g. aligned, coherent). */
  judgeMetrics: string[];
  /** Categorical judge metrics (upstream `free_form_judge`). */
  categoryMetrics: string[];
  judgeModel: string | null;
}

/** The judgment metric under which a self-reported number or a choice match is stored. */
export const VALUE_METRIC = 'value';
