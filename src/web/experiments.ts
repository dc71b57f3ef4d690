/**
 * Experiments (`emlab run experiment.yaml`) found under the viewer's paths: a database with stored
 * experiment steps, or an experiment's results.json beside a database. Steps and their statuses come
 * from results.json (written at the end of each `emlab run`), the hashes of finished steps from the
 * database; each evaluation links to its run, which the viewer shows like any other.
 */
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { Store } from '../store/store.js';
import type { ExperimentComparisonView, ExperimentGroupView, ExperimentStepView, ExperimentView } from './api-types.js';
import { readJsonFile } from './json-files.js';
import { sourceId, type SourceSet } from './sources.js';

const num = z.number().nullable();
const ExperimentFile = z
  .object({
    kind: z.literal('emlab.experiment'),
    name: z.string(),
    createdAt: z.string(),
    status: z.string(),
    steps: z.array(z.object({ id: z.string(), kind: z.string(), status: z.string(), detail: z.string() })),
    evaluations: z.array(
      z.object({
        name: z.string(),
        status: z.string(),
        suite: z.string().nullable(),
        groups: z.array(
          z.object({
            name: z.string(),
            members: z.array(z.string()),
            overall: z.object({ estimate: num, lo: num, hi: num, nMembers: z.number(), method: z.string() }),
          }),
        ),
        comparisons: z.array(
          z.object({
            a: z.string(),
            b: z.string(),
            kind: z.string(),
            overall: z.object({
              difference: z.object({ estimate: num, lo: num, hi: num, method: z.string() }),
              test: z.object({ method: z.string(), pValue: num }),
              welch: z.object({ pValue: num }).optional(),
            }),
          }),
        ),
      }),
    ),
  })
  .describe('experiment results.json');

const RunIds = z.object({ runIds: z.array(z.string()) }).describe('results.json runIds');
const RunIdOutput = z.object({ runId: z.string() });

/** Every experiment of every database found, in the order the databases were found. */
export function listExperiments(sources: SourceSet): ExperimentView[] {
  const out: ExperimentView[] = [];
  for (const path of sources.discover()) {
    const store = sources.store(path);
    if (!store) continue;
    const view = experimentAt(path, store);
    if (view !== null) out.push(view);
  }
  return out;
}

function experimentAt(dbPath: string, store: Store): ExperimentView | null {
  const dir = dirname(dbPath);
  const doc = readJsonFile(join(dir, 'results.json'), ExperimentFile);
  const stored = store.experimentSteps();
  if (doc === null && stored.length === 0) return null;
  const db = sourceId(dbPath);
  const byStep = new Map(stored.map((s) => [s.step, s]));
  const fromFile = new Set(doc?.steps.map((s) => s.id) ?? []);
  const steps: ExperimentStepView[] = [
    ...(doc?.steps ?? []).map((s) => ({ ...s, hash: byStep.get(s.id)?.key ?? null, storedAt: byStep.get(s.id)?.createdAt ?? null })),
    // Finished since the last results.json (a run in progress), or of an earlier version of the file.
    ...stored.filter((s) => !fromFile.has(s.step)).map((s) => ({ id: s.step, kind: s.step.split(':')[0] ?? '', status: 'stored', detail: 'finished and stored; not in the last results.json', hash: s.key, storedAt: s.createdAt })),
  ];
  const runOf = (name: string): { id: string; db: string } | null => {
    const output = RunIdOutput.safeParse(byStep.get(`evaluation:${name}`)?.output);
    // An evaluation not finished has no stored step: its own results.json names its run.
    const ids = output.success ? [output.data.runId] : /^[\w.-]+$/.test(name) ? (readJsonFile(join(dir, `eval-${name}`, 'results.json'), RunIds)?.runIds ?? []) : [];
    const id = ids.find((r) => store.getRun(r) !== undefined);
    return id === undefined ? null : { id, db };
  };
  const latest = [doc?.createdAt ?? '', ...stored.map((s) => s.createdAt)].sort().at(-1) ?? '';
  return {
    name: doc?.name ?? basename(dir),
    dir,
    db,
    dbPath,
    status: doc?.status ?? 'running',
    updatedAt: latest === '' ? null : latest,
    steps,
    evaluations: (doc?.evaluations ?? []).map((e) => ({
      name: e.name,
      status: e.status,
      suite: e.suite,
      run: runOf(e.name),
      groups: e.groups.map((g): ExperimentGroupView => ({ name: g.name, members: g.members, ...g.overall })),
      comparisons: e.comparisons.map((c): ExperimentComparisonView => ({ a: c.a, b: c.b, kind: c.kind, difference: c.overall.difference, test: c.overall.test, welchPValue: c.overall.welch?.pValue ?? null })),
    })),
  };
}
