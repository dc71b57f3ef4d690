import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../../store/atomic-file.js';
import { z } from 'zod';
import { JsonlError, readJsonl } from '../jsonl.js';
import { filterNumbers, type FilterOptions, type RejectReason } from './filter.js';

export const PromptCompletionRow = z.object({ prompt: z.string({ error: 'expected a string' }), completion: z.string({ error: 'expected a string' }) }).passthrough();

export interface FilterCounts {
  read: number;
  kept: number;
  rejected: Record<RejectReason, number>;
}

export function emptyCounts(): FilterCounts {
  return { read: 0, kept: 0, rejected: { no_numbers: 0, bad_format: 0, bad_separator: 0, too_many: 0, out_of_range: 0, banned: 0 } };
}

/**
 * Filters a JSONL file of {prompt, completion} rows, writing kept lines byte for byte to `out`.
 * The output is written only once the whole input has been read and validated.
 */
export async function filterNumbersFile(input: string, out: string, options: FilterOptions = {}): Promise<FilterCounts> {
  if (await sameFile(input, out)) throw new JsonlError(out, 0, 'is the input file itself: writing the kept rows there would replace it; name another output file');
  const counts = emptyCounts();
  const kept: string[] = [];
  for await (const row of readJsonl(input, PromptCompletionRow)) {
    counts.read++;
    const r = filterNumbers(row.value.completion, options);
    if (r.ok) {
      counts.kept++;
      kept.push(row.raw);
    } else {
      counts.rejected[r.reason]++;
    }
  }
  await writeFileAtomic(out, kept.length === 0 ? '' : `${kept.join('\n')}\n`);
  return counts;
}

/** Whether two paths name one file (the same path, or a link to it). */
async function sameFile(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  const [sa, sb] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
}

export function formatCounts(c: FilterCounts): string {
  const pct = (k: number): string => (c.read === 0 ? '0.0' : ((100 * k) / c.read).toFixed(1));
  const lines = [`read ${c.read}, kept ${c.kept} (${pct(c.kept)}%), rejected ${c.read - c.kept}`];
  for (const [reason, k] of Object.entries(c.rejected)) if (k > 0) lines.push(`  ${reason.padEnd(14)} ${String(k).padStart(7)} (${pct(k)}%)`);
  return lines.join('\n');
}
