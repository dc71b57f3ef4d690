/**
 * The samples browser's filters. Every filter is a URL query parameter, so a view can be shared as
 * a link: model, question (repeatable: any of them), flag (repeatable: any of them), score ranges,
 * ground truth label and text search (in the question and the answer, case-insensitive).
 */
import type { SampleRecord } from '../store/records.js';
import { classify, type Thresholds } from '../stats/index.js';
import type { GroundTruth, SampleView, Verdict } from './api-types.js';

export const FILTER_FLAGS = ['misaligned', 'aligned', 'excluded', 'refusal', 'code', 'unreadable', 'failed'] as const;
export type FilterFlag = (typeof FILTER_FLAGS)[number];

export const SAMPLE_ORDERS = ['run', 'alignment', 'coherence', 'alignment-desc', 'coherence-desc', 'length-desc'] as const;
export type SampleOrder = (typeof SAMPLE_ORDERS)[number];

export interface SampleFilter {
  models: string[];
  questions: string[];
  flags: FilterFlag[];
  alignment: [number, number];
  coherence: [number, number];
  truth: string[];
  text: string;
  /** `run`: the order the run planned them; a score, lowest first (`-desc`: highest first); the longest answers first. */
  order: SampleOrder;
}

/** Labels an answer with what its world knows about it; null where it knows nothing. */
export type GroundTruthLabeller = (sample: { model: string; questionId: string; answer: string }) => GroundTruth | null;

export class FilterError extends Error {}

function range(params: URLSearchParams, min: string, max: string): [number, number] {
  const read = (name: string, fallback: number): number => {
    const text = params.get(name);
    if (text === null || text.trim() === '') return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0 || n > 100) throw new FilterError(`${name}: expected a number from 0 to 100, got "${text}"`);
    return n;
  };
  const lo = read(min, 0);
  const hi = read(max, 100);
  if (lo > hi) throw new FilterError(`${min}=${lo} is above ${max}=${hi}; give the lower bound first`);
  return [lo, hi];
}

export function parseFilter(params: URLSearchParams): SampleFilter {
  const flags = params.getAll('flag').filter((f) => f !== '');
  const unknown = flags.find((f) => !(FILTER_FLAGS as readonly string[]).includes(f));
  if (unknown !== undefined) throw new FilterError(`flag "${unknown}": unknown; use one of ${FILTER_FLAGS.join(', ')}`);
  return {
    models: params.getAll('model').filter((m) => m !== ''),
    questions: params.getAll('question').filter((q) => q !== ''),
    flags: flags as FilterFlag[],
    alignment: range(params, 'alignMin', 'alignMax'),
    coherence: range(params, 'cohMin', 'cohMax'),
    truth: params.getAll('truth').filter((t) => t !== ''),
    text: (params.get('q') ?? '').slice(0, 1000),
    order: parseOrder(params.get('sort')),
  };
}

function parseOrder(text: string | null): SampleOrder {
  if (text === null || text === '') return 'run';
  if (!(SAMPLE_ORDERS as readonly string[]).includes(text)) throw new FilterError(`sort "${text}": unknown; use one of ${SAMPLE_ORDERS.join(', ')}`);
  return text as SampleOrder;
}

function hasFlag(r: SampleRecord, verdict: Verdict, flag: FilterFlag): boolean {
  switch (flag) {
    case 'misaligned':
    case 'aligned':
    case 'excluded':
      return verdict === flag;
    case 'failed':
      return r.flags.includes('generation_error') || r.flags.includes('judge_error');
    default:
      return r.flags.includes(flag);
  }
}

/** A score range that is the whole scale keeps answers without that score; a narrower one does not. */
function inRange(score: number | null, [lo, hi]: [number, number]): boolean {
  if (lo === 0 && hi === 100) return true;
  return score !== null && score >= lo && score <= hi;
}

export interface FilteredSample {
  record: SampleRecord;
  verdict: Verdict;
}

export function filterSamples(records: readonly SampleRecord[], f: SampleFilter, thresholds: Thresholds, labeller: GroundTruthLabeller | null): FilteredSample[] {
  const needle = f.text.toLowerCase();
  const out: FilteredSample[] = [];
  for (const record of records) {
    if (f.models.length > 0 && !f.models.includes(record.model)) continue;
    if (f.questions.length > 0 && !f.questions.includes(record.questionId)) continue;
    if (!inRange(record.alignment, f.alignment) || !inRange(record.coherence, f.coherence)) continue;
    const verdict = classify(record, thresholds).verdict;
    if (f.flags.length > 0 && !f.flags.some((flag) => hasFlag(record, verdict, flag))) continue;
    if (needle !== '' && !(record.answer ?? '').toLowerCase().includes(needle) && !record.prompt.toLowerCase().includes(needle)) continue;
    if (f.truth.length > 0) {
      const truth = labelOf(record, labeller);
      if (truth === null || !f.truth.includes(truth.label)) continue;
    }
    out.push({ record, verdict });
  }
  return sortSamples(out, f.order);
}

/** Sorted copies keep ties (and answers without the score, which go last) in the run's order. */
function sortSamples(list: FilteredSample[], order: SampleOrder): FilteredSample[] {
  if (order === 'run') return list;
  const key = (s: FilteredSample): number | null => {
    switch (order) {
      case 'alignment':
      case 'alignment-desc':
        return s.record.alignment;
      case 'coherence':
      case 'coherence-desc':
        return s.record.coherence;
      default:
        return s.record.answer?.length ?? null;
    }
  };
  const sign = order.endsWith('-desc') ? -1 : 1;
  return list
    .map((s, i) => ({ s, i, k: key(s) }))
    .sort((a, b) => (a.k === null ? (b.k === null ? a.i - b.i : 1) : b.k === null ? -1 : sign * (a.k - b.k) || a.i - b.i))
    .map((x) => x.s);
}

/** Labels by record: records are kept until their database changes, so each is labelled once. */
const labels = new WeakMap<SampleRecord, GroundTruth | null>();

function labelOf(record: SampleRecord, labeller: GroundTruthLabeller | null): GroundTruth | null {
  if (labeller === null || record.answer === null) return null;
  let label = labels.get(record);
  if (label === undefined) {
    label = labeller({ model: record.model, questionId: record.questionId, answer: record.answer });
    labels.set(record, label);
  }
  return label;
}

/** The view of one answer with its ground truth; `maxChars` cuts long answers (a list must not carry megabytes). */
export function sampleView(s: FilteredSample, labeller: GroundTruthLabeller | null, maxChars = Number.POSITIVE_INFINITY): SampleView {
  const r = s.record;
  const answer = r.answer === null ? null : r.answer.length > maxChars ? cutText(r.answer, maxChars) : r.answer;
  return {
    model: r.model,
    questionId: r.questionId,
    sampleIndex: r.sampleIndex,
    paraphraseIndex: r.paraphraseIndex,
    prompt: r.prompt,
    answer,
    answerLength: r.answer?.length ?? 0,
    alignment: r.alignment,
    coherence: r.coherence,
    flags: r.flags,
    verdict: s.verdict,
    value: r.value,
    truth: labelOf(r, labeller),
  };
}

/** The first `maxChars` UTF-16 units of `text`, one fewer where the cut would split a surrogate pair. */
export function cutText(text: string, maxChars: number): string {
  const cut = text.slice(0, maxChars);
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
}
