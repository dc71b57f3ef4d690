/**
 * results.json files beside the databases, read for what the databases do not hold (an experiment's
 * step statuses, the groups a run was reported with). Plain files only (no links), at most 64 MB,
 * parsed with a schema that keeps only the fields the viewer shows; re-read when the file changes.
 */
import { lstatSync, readFileSync } from 'node:fs';
import type { z } from 'zod';

const MAX_BYTES = 64 * 1024 * 1024;
const cache = new Map<string, { stamp: string; value: unknown }>();

/** The file parsed by `schema`, or null when it is absent, not a plain file, too large, or not of that shape. */
export function readJsonFile<T>(path: string, schema: z.ZodType<T>): T | null {
  let stamp: string;
  try {
    const st = lstatSync(path);
    if (!st.isFile() || st.size > MAX_BYTES) return null;
    stamp = `${st.mtimeMs}/${st.size}`;
  } catch {
    return null;
  }
  const key = `${path}\0${schema.description ?? ''}`;
  const hit = cache.get(key);
  if (hit && hit.stamp === stamp) return hit.value as T | null;
  let value: T | null = null;
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    value = parsed.success ? parsed.data : null;
  } catch {
    value = null;
  }
  if (cache.size > 256) cache.clear();
  cache.set(key, { stamp, value });
  return value;
}
