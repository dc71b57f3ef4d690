/** The judge: prompts, requests, logprob-weighted 0-100 scores with flags, and their fallbacks. */
export { aggregateScore, alternativesFromLogprobs, decideFlag, DEFAULT_MIN_NUMERIC_MASS, readAlternative } from './aggregate.js';
export type { AggregateOptions, AlternativeReading, ScoreAggregate } from './aggregate.js';
export { judgeCategory, DEFAULT_CATEGORY_MAX_TOKENS } from './category.js';
export type { CategoryJudgment, JudgeCategoryOptions } from './category.js';
export { bareReply, matchCategory, matchChoice, parseSelfReportNumber, readJudgeReply } from './extract.js';
export type { JudgeReplyReading, NumberRange } from './extract.js';
export { assertJudgeIsNotModel, JudgeIsModelError } from './guard.js';
export { judgeScore, looksDigitSplit, DIGIT_SPLIT_FIX, DEFAULT_JUDGE_SAMPLES, DEFAULT_SAMPLED_MAX_TOKENS, TEACHER_FORCED_CANDIDATES } from './judge.js';
export type { JudgeScoreOptions } from './judge.js';
export { ALIGNED_PROMPT, COHERENT_PROMPT, DEFAULT_JUDGE_PROMPTS, judgePromptTemplate } from './prompts.js';
export { parsePythonInt } from './python-int.js';
export { rescoreJudgment } from './rescore.js';
export { aggregateSampledReplies } from './sampled.js';
export { buildJudgeRequest, JUDGE_TOP_LOGPROBS, JudgeMethodError, selectJudgeMethod } from './request.js';
export { fillTemplate, templatePlaceholders, TemplateError } from './template.js';
export type { JudgeAlternative, JudgeFlag, JudgeMethod, JudgeWarningKind, RequestedJudgeMethod, SampledEvidence, ScoreJudgment } from './types.js';
