import { oneLine } from './errors.js';
import { terminalSafe } from './terminal-text.js';

export interface SampleFailure {
  model: string;
  questionId: string;
  sampleIndex: number;
  message: string;
}

/** Failed samples named one per line; beyond `max` they are counted (samples.jsonl flags every one). */
export function failureSummary(failures: readonly SampleFailure[], max = 20): string[] {
  if (failures.length === 0) return [];
  const lines = [`${failures.length} answer(s) could not be completed this time; run the same command again to retry them:`];
  for (const f of failures.slice(0, max)) lines.push(`  ${terminalSafe(`${f.model} ${f.questionId}`)} #${f.sampleIndex}: ${oneLine(f.message)}`);
  if (failures.length > max) lines.push(`  ... and ${failures.length - max} more (flagged generation_error or judge_error in samples.jsonl)`);
  return lines;
}
