/** Writing results.json, samples.jsonl and report.html: whole files or nothing (temp file + rename). */
import { writeAtomically } from '../store/atomic-file.js';
import type { SampleRecord } from '../store/records.js';
import type { ResultsDocument } from './results-types.js';

/** The SampleRecord fields in the documented order of a samples.jsonl line; unknown fields follow. */
const SAMPLE_FIELD_ORDER: readonly (keyof SampleRecord)[] = [
  'runId',
  'model',
  'questionId',
  'paraphraseIndex',
  'sampleIndex',
  'tags',
  'metricKind',
  'prompt',
  'answer',
  'alignment',
  'coherence',
  'scores',
  'categories',
  'value',
  'flags',
  'judgeMethod',
  'judgeModel',
];

/** One JSON line of samples.jsonl (no trailing newline). */
export function sampleToJsonLine(record: SampleRecord): string {
  const ordered: Record<string, unknown> = {};
  for (const key of SAMPLE_FIELD_ORDER) ordered[key] = record[key];
  for (const [key, value] of Object.entries(record)) if (!(key in ordered)) ordered[key] = value;
  // U+0085/U+2028/U+2029 are valid raw in JSON, but line splitters such as Python's str.splitlines()
  // break on them; escaped, every reader sees exactly one record a line.
  return JSON.stringify(ordered, finiteOnly(`sample ${record.model} / ${record.questionId} #${record.sampleIndex}`)).replace(
    /[\u0085\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Writes samples.jsonl: one SampleRecord a line, in the order given. */
export async function writeSamplesJsonl(records: Iterable<SampleRecord>, path: string): Promise<void> {
  await writeAtomically(path, async (write) => {
    let chunk: string[] = [];
    for (const r of records) {
      chunk.push(sampleToJsonLine(r));
      // Batches keep memory flat for large runs without one syscall per line.
      if (chunk.length >= 1000) {
        await write(chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    if (chunk.length > 0) await write(chunk.join('\n') + '\n');
  });
}

/** results.json as text; throws if a non-finite number slipped in (the format promises null instead). */
export function resultsToJson(doc: ResultsDocument): string {
  return JSON.stringify(doc, finiteOnly('results.json'), 2) + '\n';
}

export async function writeResultsJson(doc: ResultsDocument, path: string): Promise<void> {
  const text = resultsToJson(doc);
  await writeAtomically(path, (write) => write(text));
}

export async function writeTextFile(text: string, path: string): Promise<void> {
  await writeAtomically(path, (write) => write(text));
}

function finiteOnly(what: string): (key: string, value: unknown) => unknown {
  return (key, value) => {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new Error(`${what}: field "${key}" is ${value}; only finite numbers or null may be written (this is a bug in emlab)`);
    }
    return value;
  };
}
