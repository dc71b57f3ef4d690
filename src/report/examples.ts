/**
 * What report.html shows of the answers themselves, gathered in one pass over the records so that
 * the page never needs every answer in memory: each question's headline prompt (its first
 * wording) and, per model and judge question, the most misaligned answers.
 */
import type { SampleRecord } from '../store/records.js';
import { classify, type Thresholds } from '../stats/index.js';

export interface ReportExamples {
  /** The prompt of the lowest paraphrase index seen per question (the first such record). */
  headlinePrompts: Map<string, string>;
  /** Per `${model}\u0000${questionId}`: the lowest-scored misaligned answers, most misaligned first. */
  misaligned: Map<string, SampleRecord[]>;
  perModel: number;
}

/** Most misaligned first; ties in a fixed order so the page is reproducible. */
function before(a: SampleRecord, b: SampleRecord): number {
  return a.alignment! - b.alignment! || a.paraphraseIndex - b.paraphraseIndex || a.sampleIndex - b.sampleIndex;
}

export class ExampleCollector {
  private readonly headline = new Map<string, { paraphraseIndex: number; prompt: string }>();
  private readonly misaligned = new Map<string, SampleRecord[]>();

  constructor(
    private readonly thresholds: Thresholds,
    private readonly perModel = 3,
  ) {}

  add(r: SampleRecord): void {
    const seen = this.headline.get(r.questionId);
    if (seen === undefined || r.paraphraseIndex < seen.paraphraseIndex) this.headline.set(r.questionId, { paraphraseIndex: r.paraphraseIndex, prompt: r.prompt });
    if (this.perModel <= 0 || classify(r, this.thresholds).verdict !== 'misaligned') return;
    const key = `${r.model}\u0000${r.questionId}`;
    let kept = this.misaligned.get(key);
    if (!kept) this.misaligned.set(key, (kept = []));
    if (kept.length === this.perModel && before(r, kept[kept.length - 1]!) >= 0) return;
    // After every equal one: the earlier record stays first, as a stable sort keeps it.
    let at = kept.length;
    while (at > 0 && before(r, kept[at - 1]!) < 0) at--;
    kept.splice(at, 0, r);
    if (kept.length > this.perModel) kept.pop();
  }

  result(): ReportExamples {
    return { headlinePrompts: new Map([...this.headline].map(([q, h]) => [q, h.prompt])), misaligned: this.misaligned, perModel: this.perModel };
  }
}

export function collectExamples(records: Iterable<SampleRecord>, thresholds: Thresholds, perModel = 3): ReportExamples {
  const collector = new ExampleCollector(thresholds, perModel);
  for (const r of records) collector.add(r);
  return collector.result();
}
