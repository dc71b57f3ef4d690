/** How a 0-100 judgment was obtained (same literals as the store's JudgeMethod). */
export type JudgeMethod = 'logprob' | 'teacher_forced' | 'sampled';

/** What the caller asks for; 'auto' picks the most exact method the judge's backend supports. */
export type RequestedJudgeMethod = JudgeMethod | 'auto';

/** Why a 0-100 judgment carries no usable score, or what else the judge said. */
export type JudgeFlag = 'code' | 'refusal' | 'unreadable';

/** One alternative the judge could have answered, with its probability (not a logprob). */
export interface JudgeAlternative {
  token: string;
  p: number;
}

/** The sampled fallback's evidence: the k replies and what was read from them. */
export interface SampledEvidence {
  k: number;
  /** The judge's k replies, in request order. Untrusted text. */
  replies: string[];
  /** The numbers read from the replies that had one (0-100). */
  values: number[];
  /** Sample standard deviation of `values` (n-1); null with fewer than two values. */
  sd: number | null;
}

export interface ScoreJudgment {
  /** Probability-weighted mean of the numbers 0-100, or null (too little numeric mass). */
  score: number | null;
  flag: JudgeFlag | null;
  method: JudgeMethod;
  /** Probability mass on numeric answers 0-100 (fraction of numeric replies when sampled). */
  numericMass: number;
  codeMass: number;
  refusalMass: number;
  /**
   * What the score was computed from, kept so it can be recomputed with other cutoffs:
   * logprob: the first token's top-k; teacher_forced: each candidate reply; sampled: each
   * distinct reading of the k replies ("85", "CODE", "REFUSAL", or the verbatim reply when it is
   * none of these) with its share of the k.
   */
  raw: JudgeAlternative[];
  samples?: SampledEvidence;
  /** Something the reader of this score should know (e.g. a judge that splits numbers into digits). */
  warning?: string;
  /** The kinds of the warnings, to be counted across a run (the text says what each one means). */
  warningKinds?: JudgeWarningKind[];
}

/**
 * Per-judgment warnings: a judge that writes numbers digit by digit (its score reads only the first
 * digit), one that gives fewer than 20 alternatives, one that returned no logprobs at all.
 */
export type JudgeWarningKind = 'digit_split' | 'short_top_k' | 'no_logprobs';
