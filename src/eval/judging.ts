import type { Store } from '../store/store.js';
import { contentHash } from '../store/hash.js';
import { VALUE_METRIC } from '../store/records.js';
import { warningKindsOf } from '../store/judgment-warnings.js';
import type { CallOptions } from '../providers/types.js';
import type { CachedProvider } from './cached-provider.js';
import type { PlannedSample, PlanQuestion } from './plan.js';
import { judgeCategory, judgeScore } from '../judge/judge.js';
import { fillTemplate } from '../judge/template.js';
import { judgePromptTemplate } from '../judge/prompts.js';
import { matchChoice, parseSelfReportNumber } from '../judge/extract.js';
import type { JudgeMethod } from '../judge/types.js';

/** A question as the judging step needs it. */
export interface JudgedQuestion extends PlanQuestion {
  sourceFile?: string;
  range?: { min: number; max: number };
  targets?: string[];
  categories?: string[];
}

export interface JudgeSettings {
  /** The method chosen once for the whole run (never mixed within a run). */
  method: JudgeMethod;
  minNumericMass: number;
  /** Samples per judgment for the sampled method. */
  sampledK: number;
}

/** emlab's own extractor stands in the judge_model column for self-reported numbers and choices. */
const EXTRACTOR = 'emlab:extract';

interface JudgeStep {
  store: Store;
  runId: string;
  sample: PlannedSample;
  answer: string;
  question: JudgedQuestion;
  judge: CachedProvider | null;
  settings: JudgeSettings;
  signal?: AbortSignal;
}

/** Of the 0-100 judgments one answer got (fresh or stored), how many came from a digit-split judge. */
export interface JudgeTally {
  scored: number;
  digitSplit: number;
}

function isDigitSplit(detail: unknown): boolean {
  const d = detail as { warningKinds?: unknown; warning?: unknown } | null;
  return warningKindsOf(d?.warningKinds, d?.warning).includes('digit_split');
}

/**
 * Judges one answer on every metric its question asks for, storing each judgment under a key of
 * everything that determines it (judge and its content version, metric, filled prompt, method
 * settings; an absent version leaves the key as it was before versions existed): the same answer
 * judged the same way is never judged twice, across runs.
 */
export async function judgeSample(step: JudgeStep): Promise<JudgeTally> {
  const tally: JudgeTally = { scored: 0, digitSplit: 0 };
  const { store, runId, sample, answer, question, settings } = step;
  const link = { runId, model: sample.model, questionId: sample.questionId, sampleIndex: sample.sampleIndex };
  const options: CallOptions = step.signal ? { signal: step.signal } : {};
  const where = `${question.sourceFile ?? 'suite'}: question ${question.id}`;

  if (sample.item.metricKind !== 'judge') {
    const value =
      sample.item.metricKind === 'self_number'
        ? parseSelfReportNumber(answer, question.range ?? { min: 0, max: 100 })
        : matchChoice(answer, question.targets ?? []) === null
          ? 0
          : 1;
    const key = contentHash({ extractor: EXTRACTOR, kind: sample.item.metricKind, answer, range: question.range, targets: question.targets });
    await store.queueJudgment(
      { key, judgeModel: EXTRACTOR, metric: VALUE_METRIC, method: 'extract', score: value, flag: null, category: null, numericMass: null, detail: {} },
      { ...link, metric: VALUE_METRIC },
    );
    return tally;
  }

  const judge = step.judge;
  if (judge === null) throw new Error(`${where}: it needs a judge model: pass --judge`);
  // The metrics of one answer are asked together: independent requests, and with --batch they
  // then travel in the same batch instead of one batch after another.
  await Promise.all(sample.item.judgeMetrics.map(async (metric) => {
    const prompt = fillTemplate(judgePromptTemplate(metric, question.judgePrompts, where), { question: sample.item.prompt, answer }, where);
    const key = contentHash({ judge: judge.id, judgeVersion: judge.version, metric, prompt, method: settings.method, minNumericMass: settings.minNumericMass, k: settings.method === 'sampled' ? settings.sampledK : undefined });
    const stored = store.getJudgment(key);
    if (stored) {
      await store.queueLink({ ...link, metric, judgmentKey: key });
      tally.scored++;
      if (isDigitSplit(stored.detail)) tally.digitSplit++;
      return;
    }
    const j = await judgeScore(judge, prompt, { method: settings.method, minNumericMass: settings.minNumericMass, samples: settings.sampledK, ...options });
    await store.queueJudgment(
      {
        key,
        judgeModel: judge.id,
        metric,
        method: j.method,
        score: j.score,
        flag: j.flag,
        category: null,
        numericMass: j.numericMass,
        detail: { raw: j.raw, codeMass: j.codeMass, refusalMass: j.refusalMass, samples: j.samples, warning: j.warning, warningKinds: j.warningKinds },
      },
      { ...link, metric },
    );
    tally.scored++;
    if (j.warningKinds?.includes('digit_split')) tally.digitSplit++;
  }));
  for (const metric of sample.item.categoryMetrics) {
    const template = question.judgePrompts[metric];
    if (template === undefined) throw new Error(`${where}: no judge prompt for metric "${metric}"`);
    const prompt = fillTemplate(template, { question: sample.item.prompt, answer }, where);
    const key = contentHash({ judge: judge.id, judgeVersion: judge.version, metric, prompt, categorical: true, categories: question.categories });
    if (store.getJudgment(key)) {
      await store.queueLink({ ...link, metric, judgmentKey: key });
      continue;
    }
    const c = await judgeCategory(judge, prompt, question.categories, options);
    await store.queueJudgment(
      { key, judgeModel: judge.id, metric, method: judge.capabilities.logprobs ? 'logprob' : 'sampled', score: null, flag: null, category: c.category, numericMass: null, detail: { raw: c.raw } },
      { ...link, metric },
    );
  }
  return tally;
}
