/**
 * The groups a run was reported with: `emlab eval --group`, `emlab demo` and `emlab run` write them
 * into results.json beside the database (or one folder down: eval-<name>/, the demo's triggered/).
 * The viewer prefers them to groups guessed from model ids; only names and member ids are read.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { GroupSpec } from '../report/index.js';
import { readJsonFile } from './json-files.js';

const ResultsGroups = z
  .object({
    runIds: z.array(z.string()),
    groups: z.array(z.object({ name: z.string().min(1), members: z.array(z.string()).min(1) })),
  })
  .describe('results.json groups');

/** The results.json files a database's runs may have written: beside it and one folder down. */
export function resultsFilesBeside(dbPath: string): string[] {
  const dir = dirname(dbPath);
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const below = entries.filter((e) => e.isDirectory()).map((e) => join(dir, e.name, 'results.json'));
  return [join(dir, 'results.json'), ...below.sort()];
}

/** The groups named in the results.json of this run, whose members are all models of the run. */
export function namedGroups(dbPath: string, runId: string, models: readonly string[]): GroupSpec[] {
  const known = new Set(models);
  const out = new Map<string, GroupSpec>();
  for (const path of resultsFilesBeside(dbPath)) {
    const doc = readJsonFile(path, ResultsGroups);
    if (doc === null || !doc.runIds.includes(runId)) continue;
    for (const g of doc.groups) {
      if (!out.has(g.name) && !known.has(g.name) && g.members.every((m) => known.has(m))) out.set(g.name, { name: g.name, members: [...g.members] });
    }
  }
  return [...out.values()];
}
