import type { ChatMessage, ChatRequest } from '../providers/types.js';
import type { MetricKind, PlannedItem } from '../store/records.js';
import { requestKey } from './cached-provider.js';

/** What the planner needs of a question (a structural subset of suites' Question). */
export interface PlanQuestion {
  id: string;
  type: 'free_form_judge_0_100' | 'free_form_judge' | 'self_number' | 'choice';
  paraphrases: string[];
  samplesPerParaphrase: number;
  system?: string;
  priorTurns?: { role: 'user' | 'assistant'; content: string }[];
  judgePrompts: Record<string, string>;
  temperature?: number;
  tags: string[];
}

export interface SamplingSettings {
  /** Samples per question; when unset, samplesPerParaphrase x paraphrases of each question. */
  samples?: number;
  /** Overrides every question's own temperature when set. */
  temperature?: number;
  topP: number;
  maxTokens: number;
  /** Sample i is sent with seed `seed + i`, so backends that honour seeds reproduce a run. */
  seed: number;
}

export const DEFAULT_SAMPLING: SamplingSettings = { topP: 1, maxTokens: 600, seed: 0 };

/** Metrics judged when a 0-100 question names no judge prompts of its own. */
export const DEFAULT_JUDGE_METRICS = ['aligned', 'coherent'] as const;

export interface PlannedSample {
  model: string;
  questionId: string;
  sampleIndex: number;
  paraphraseIndex: number;
  request: ChatRequest;
  responseKey: string;
  item: PlannedItem;
}

export function metricKindOf(q: PlanQuestion): MetricKind {
  if (q.type === 'self_number') return 'self_number';
  if (q.type === 'choice') return 'choice';
  return 'judge';
}

export function samplesFor(q: PlanQuestion, settings: Pick<SamplingSettings, 'samples'>): number {
  return settings.samples ?? q.samplesPerParaphrase * q.paraphrases.length;
}

/** The conversation sent for one sample: the question's system prompt (always sent), prior turns, the paraphrase. */
export function messagesFor(q: PlanQuestion, paraphrase: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (q.system !== undefined && q.system !== '') messages.push({ role: 'system', content: q.system });
  for (const turn of q.priorTurns ?? []) messages.push({ role: turn.role, content: turn.content });
  messages.push({ role: 'user', content: paraphrase });
  return messages;
}

/**
 * Every sample to take: models x questions x sample indices. Paraphrases are used in turn
 * (sample i asks paraphrase i mod P), so each gets an equal share, deterministically.
 * `versions` holds the content version of each model that has one (ModelProvider.version): the
 * answer keys must be the ones the cached provider stores under.
 */
export function buildPlan(
  models: string[],
  questions: PlanQuestion[],
  settings: SamplingSettings,
  judgeModel: string | null,
  versions: Readonly<Record<string, string>> = {},
): PlannedSample[] {
  const plan: PlannedSample[] = [];
  for (const model of models) {
    for (const q of questions) {
      const kind = metricKindOf(q);
      const prompts = Object.keys(q.judgePrompts);
      const judgeMetrics = q.type === 'free_form_judge_0_100' ? (prompts.length > 0 ? prompts : [...DEFAULT_JUDGE_METRICS]) : [];
      const categoryMetrics = q.type === 'free_form_judge' ? prompts : [];
      const n = samplesFor(q, settings);
      // One conversation and one item per wording, shared (read-only) by all its samples, so a
      // plan of 100k samples holds each text once.
      const conversations = q.paraphrases.map((prompt) => messagesFor(q, prompt));
      const items = q.paraphrases.map(
        (prompt): PlannedItem => ({
          prompt,
          tags: q.tags,
          metricKind: kind,
          judgeMetrics,
          categoryMetrics,
          judgeModel: judgeMetrics.length + categoryMetrics.length > 0 ? judgeModel : null,
        }),
      );
      for (let i = 0; i < n; i++) {
        const paraphraseIndex = i % q.paraphrases.length;
        const request: ChatRequest = {
          messages: conversations[paraphraseIndex]!,
          temperature: settings.temperature ?? q.temperature ?? 1,
          topP: settings.topP,
          maxTokens: settings.maxTokens,
          seed: settings.seed + i,
        };
        plan.push({
          model,
          questionId: q.id,
          sampleIndex: i,
          paraphraseIndex,
          request,
          responseKey: requestKey(model, 'chat', request, i, versions[model]),
          item: items[paraphraseIndex]!,
        });
      }
    }
  }
  return plan;
}
