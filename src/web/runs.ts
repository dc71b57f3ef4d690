/**
 * Runs as the viewer reads them: found by id across the databases, their answers rebuilt from the
 * store (loadSampleRecords, the same code as `emlab report`) and kept until the database changes
 * (PRAGMA data_version), so that a run in progress is re-read only when something was written.
 */
import type { Store } from '../store/store.js';
import type { SampleRecord } from '../store/records.js';
import { loadSampleRecords } from '../store/sample-records.js';
import { buildResults, type ComparisonSpec, type GroupSpec, type ResultsDocument } from '../report/index.js';
import { resolveThresholds, type Thresholds } from '../stats/index.js';
import type { RunSummary } from './api-types.js';
import { FilterError } from './samples.js';
import { namedGroups } from './named-groups.js';
import { sourceId, type SourceSet } from './sources.js';

/** The fields of a run's stored configuration the viewer reads (written by eval; others are ignored). */
interface StoredRunConfig {
  suites?: unknown;
  questions?: unknown;
  models?: unknown;
  judge?: unknown;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export interface LocatedRun {
  store: Store;
  summary: RunSummary;
  config: { suites: string[]; questions: string[]; models: string[]; judge: string | null };
}

export class RunNotFound extends Error {}

export class RunReader {
  private readonly records = new Map<string, { version: number; records: SampleRecord[] }>();
  private readonly docs = new Map<string, { version: number; doc: ResultsDocument }>();

  constructor(private readonly sources: SourceSet) {}

  /** Every run of every database, newest first. */
  list(): RunSummary[] {
    const out: RunSummary[] = [];
    for (const path of this.sources.discover()) {
      const store = this.sources.store(path);
      if (!store) continue;
      for (const run of store.listRuns()) out.push(summarise(store, path, run));
    }
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** A run by id; `db` (a source id) picks among databases that hold the same run. */
  locate(runId: string, db?: string): LocatedRun {
    for (const path of this.sources.discover()) {
      if (db !== undefined && db !== '' && sourceId(path) !== db) continue;
      const store = this.sources.store(path);
      const run = store?.getRun(runId);
      if (!store || !run) continue;
      const c = (run.config ?? {}) as StoredRunConfig;
      return {
        store,
        summary: summarise(store, path, run),
        config: { suites: strings(c.suites), questions: strings(c.questions), models: strings(c.models), judge: typeof c.judge === 'string' ? c.judge : null },
      };
    }
    throw new RunNotFound(`run ${runId}: not found in the databases this viewer reads`);
  }

  /** The run's answers with their judgments, re-read only after the database changed. */
  recordsOf(run: LocatedRun): SampleRecord[] {
    const key = `${run.summary.db}/${run.summary.id}`;
    const version = run.store.dataVersion();
    const cached = this.records.get(key);
    if (cached && cached.version === version) return cached.records;
    const records = loadSampleRecords(run.store, run.summary.id);
    this.records.set(key, { version, records });
    return records;
  }

  /** results.json of the run under these counting rules, groups and comparisons (cached likewise). */
  resultsOf(run: LocatedRun, thresholds: Thresholds, groups: GroupSpec[] = [], comparisons: ComparisonSpec[] = []): ResultsDocument {
    const key = JSON.stringify([run.summary.db, run.summary.id, thresholds, groups, comparisons]);
    const version = run.store.dataVersion();
    const cached = this.docs.get(key);
    if (cached && cached.version === version) return cached.doc;
    const doc = asRequestError(() =>
      buildResults(this.recordsOf(run), {
        suite: run.config.suites.join(', '),
        thresholds,
        judge: run.config.judge,
        models: run.config.models.length > 0 ? run.config.models : undefined,
        questions: run.config.questions,
        groups,
        comparisons,
        runIds: [run.summary.id],
      }),
    );
    if (this.docs.size > 64) this.docs.clear();
    this.docs.set(key, { version, doc });
    return doc;
  }
}

/** buildResults checks the groups and comparisons a page asked for: its errors are the request's (400). */
export function asRequestError<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    throw new FilterError((err as Error).message);
  }
}

function summarise(store: Store, path: string, run: { id: string; config: unknown; status: string; createdAt: string; updatedAt: string }): RunSummary {
  const c = (run.config ?? {}) as StoredRunConfig;
  const counts = store.runCounts(run.id);
  return {
    id: run.id,
    db: sourceId(path),
    dbPath: path,
    suites: strings(c.suites),
    models: strings(c.models),
    questions: strings(c.questions).length,
    judge: typeof c.judge === 'string' ? c.judge : null,
    status: run.status,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    ...counts,
  };
}

/**
 * The counting rule a page asks for; without one, the organisms' rule for runs of organisms only
 * (what `emlab demo` reports with) and the paper's for every other run.
 */
export function thresholdsFor(models: readonly string[], preset: string | null): Thresholds {
  if (preset !== null && preset !== '') {
    try {
      return resolveThresholds(preset);
    } catch (err) {
      throw new FilterError((err as Error).message);
    }
  }
  return resolveThresholds(models.length > 0 && models.every((m) => m.startsWith('organism:')) ? 'organisms' : 'betley');
}

/**
 * Models whose ids are the same but for a seed part (`…-s2-…`, `…seed3…`, `…_s1`): the fine-tuning
 * seeds of one recipe, offered as groups so that their spread is shown. Only groups of two or more.
 */
export function seedGroups(models: readonly string[]): GroupSpec[] {
  const SEED = /([-_.:]s|[-_.:]?seed[-_]?)(\d+)(?=$|[-_.:#])/i;
  const groups = new Map<string, string[]>();
  for (const m of models) {
    const match = SEED.exec(m);
    if (!match) continue;
    // The rest of the id after the seed is often a content hash that differs per seed: drop it.
    const name = m.slice(0, match.index);
    const list = groups.get(name) ?? [];
    list.push(m);
    groups.set(name, list);
  }
  const names = new Set(models);
  return [...groups.entries()]
    .filter(([name, members]) => members.length >= 2 && !names.has(name))
    .map(([name, members]) => ({ name, members }));
}

/** Where the groups a run is shown with come from: the groups named in its results.json, else seed parts of model ids. */
export type GroupsFrom = 'results.json' | 'model ids';

/** The groups offered for a run: those its results.json names (the report's own), else those inferred from model ids. */
export function offeredGroups(run: LocatedRun): { groups: GroupSpec[]; from: GroupsFrom | null } {
  const named = namedGroups(run.summary.dbPath, run.summary.id, run.config.models);
  if (named.length > 0) return { groups: named, from: 'results.json' };
  const inferred = seedGroups(run.config.models);
  return { groups: inferred, from: inferred.length > 0 ? 'model ids' : null };
}
