import { DamagedDatabaseError, type RunItemPageRow, type Store } from './store.js';
import type { JudgeMethod, PlannedItem, SampleFlag, SampleRecord } from './records.js';
import { VALUE_METRIC } from './records.js';

interface ChatResponseShape {
  completions?: { text?: string }[];
}

/** Planned samples read per query by sampleRecordPages: a few MB at most, whatever the run's size. */
const PAGE_SIZE = 2_000;

/**
 * Rebuilds every SampleRecord of a run from the database alone: the plan, the cached answers and
 * the stored judgments. A planned sample with no answer yet is returned with a generation_error
 * flag when a failure was recorded for it, and skipped when it simply has not run yet.
 */
export function loadSampleRecords(store: Store, runId: string, options: { includePending?: boolean } = {}): SampleRecord[] {
  const out: SampleRecord[] = [];
  for (const page of sampleRecordPages(store, runId, options)) for (const r of page) out.push(r);
  return out;
}

/**
 * loadSampleRecords a page at a time, in plan order: each page is one query (no statement stays
 * open between pages, so the caller may write to the store or await in between) and memory stays
 * flat for runs of any size.
 */
export function* sampleRecordPages(store: Store, runId: string, options: { includePending?: boolean; pageSize?: number } = {}): Generator<SampleRecord[]> {
  for (let after = 0; ; ) {
    const page = store.runItemPage(runId, after, options.pageSize ?? PAGE_SIZE);
    if (page.items.length === 0) return;
    after = page.next;
    const records: SampleRecord[] = [];
    for (const row of page.items) {
      const record = toSampleRecord(store, runId, row, options.includePending ?? false);
      if (record) records.push(record);
    }
    yield records;
  }
}

function toSampleRecord(store: Store, runId: string, row: RunItemPageRow, includePending: boolean): SampleRecord | undefined {
  const item = row.item as PlannedItem;
  if (!Array.isArray(item.judgeMetrics) || !Array.isArray(item.categoryMetrics) || !Array.isArray(item.tags) || typeof item.prompt !== 'string') {
    throw new DamagedDatabaseError(store.path, `run_items.item_json of ${row.model} / ${row.questionId} #${row.sampleIndex} lacks its fields`);
  }
  const answer = (row.response as ChatResponseShape | null)?.completions?.[0]?.text ?? null;
  const flags: SampleFlag[] = [];
  if (answer === null) {
    if (row.failed) flags.push('generation_error');
    else if (!includePending) return undefined;
  }
  const judged = new Map<string, JudgmentView>();
  for (const j of row.judgments) judged.set(j.metric, j);
  const scores: Record<string, number | null> = {};
  const categories: Record<string, string | null> = {};
  let judgeMethod: JudgeMethod | null = null;
  let missingJudgment = false;
  const warnings = new Set<string>();
  for (const j of judged.values()) for (const kind of j.warningKinds) warnings.add(kind);
  for (const metric of item.judgeMetrics) {
    const j = judged.get(metric);
    if (!j) {
      scores[metric] = null;
      missingJudgment = true;
      continue;
    }
    scores[metric] = j.score;
    judgeMethod ??= j.method as JudgeMethod;
    if (j.flag === 'refusal' || j.flag === 'code') {
      if (metric === 'aligned' && !flags.includes(j.flag)) flags.push(j.flag);
    } else if (j.flag === 'unreadable' && !flags.includes('unreadable')) {
      flags.push('unreadable');
    }
  }
  for (const metric of item.categoryMetrics) {
    const j = judged.get(metric);
    if (!j) missingJudgment = true;
    categories[metric] = j?.category ?? null;
  }
  let value: number | null = null;
  if (item.metricKind !== 'judge') {
    const j = judged.get(VALUE_METRIC);
    value = j?.score ?? null;
    if (!j) missingJudgment = true;
  }
  if (answer !== null && missingJudgment) flags.push('judge_error');
  return {
    runId,
    model: row.model,
    questionId: row.questionId,
    paraphraseIndex: row.paraphraseIndex,
    sampleIndex: row.sampleIndex,
    tags: item.tags,
    metricKind: item.metricKind,
    prompt: item.prompt,
    answer,
    alignment: scores['aligned'] ?? null,
    coherence: scores['coherent'] ?? null,
    scores,
    categories,
    value,
    flags,
    judgeMethod,
    judgeModel: item.judgeModel,
    ...(warnings.size > 0 ? { judgeWarnings: [...warnings].sort() } : {}),
  };
}

interface JudgmentView {
  method: string;
  warningKinds: string[];
  score: number | null;
  flag: string | null;
  category: string | null;
}

