import { join } from 'node:path';
import { DamagedDatabaseError, type Store } from '../store/store.js';
import { sampleRecordPages } from '../store/sample-records.js';
import type { SampleRecord } from '../store/records.js';
import type { SamplingSettings } from '../eval/plan.js';
import type { JudgeSettings } from '../eval/judging.js';
import type { Thresholds } from '../stats/index.js';
import {
  buildResults,
  renderHtmlReport,
  renderTerminalTable,
  writeResultsJson,
  writeSamplesJsonl,
  writeTextFile,
  type ComparisonSpec,
  type GroupSpec,
  type ResultsDocument,
} from '../report/index.js';
import { ExampleCollector, type ReportExamples } from '../report/examples.js';

/** What a run stores about itself; its content hash is the run id, so the same arguments resume the same run. */
export interface RunConfig {
  kind: 'eval';
  suites: string[];
  questions: string[];
  questionsHash: string;
  models: string[];
  judge: string | null;
  sampling: SamplingSettings;
  judgeSettings: JudgeSettings | null;
  /**
   * Content version by model or judge id, for those whose id does not pin the weights (organisms:
   * a hash of the checkpoint files). Absent when no model has one.
   */
  versions?: Record<string, string>;
}

export interface LoadedRun {
  runId: string;
  config: RunConfig;
  /** The run's records a page at a time, read from its store (which stays open until the report is written). */
  pages: () => Iterable<SampleRecord[]>;
}

export function loadRun(store: Store, runId: string): LoadedRun {
  const run = store.getRun(runId);
  if (!run) throw new Error(`${store.path}: no run ${runId}`);
  const config = run.config as Partial<RunConfig>;
  if (!Array.isArray(config.models) || !Array.isArray(config.questions) || !Array.isArray(config.suites)) {
    throw new DamagedDatabaseError(store.path, `runs.config_json of run ${runId} lacks its models, questions or suites`);
  }
  return { runId, config: config as RunConfig, pages: () => sampleRecordPages(store, runId) };
}

export interface ReportRequest {
  runs: LoadedRun[];
  thresholds: Thresholds;
  groups: GroupSpec[];
  comparisons: ComparisonSpec[];
}

export interface BuiltReport {
  doc: ResultsDocument;
  examples: ReportExamples;
}

/**
 * A record as the numbers need it: without its texts (prompt, answer, scores and categories by
 * metric) and with its repeated strings shared. At 100k answers every record in full was most of
 * the 1.3 GB the report took; these take a few tens of MB.
 */
function numbersOf(r: SampleRecord, shared: Map<string, unknown>): SampleRecord {
  const one = <T>(key: string, value: T): T => {
    const seen = shared.get(key);
    if (seen !== undefined) return seen as T;
    shared.set(key, value);
    return value;
  };
  const text = (s: string): string => one(`s\u0000${s}`, s);
  return {
    ...r,
    runId: text(r.runId),
    model: text(r.model),
    questionId: text(r.questionId),
    tags: one(`t\u0000${r.tags.join('\u0000')}`, r.tags),
    judgeModel: r.judgeModel === null ? null : text(r.judgeModel),
    prompt: '',
    answer: null,
    scores: {},
    categories: {},
  };
}

/**
 * One pass over the runs' records, a page at a time: each record goes to samples.jsonl (when a
 * path is given) as it is read, the numbers keep a copy without its texts, and the page keeps its
 * example answers; so peak memory does not follow the size of the runs' texts.
 */
export async function buildReport(req: ReportRequest, samplesPath?: string): Promise<BuiltReport> {
  const kept: SampleRecord[] = [];
  const shared = new Map<string, unknown>();
  const examples = new ExampleCollector(req.thresholds);
  function* records(): Generator<SampleRecord> {
    for (const run of req.runs) {
      for (const page of run.pages()) {
        for (const r of page) {
          examples.add(r);
          kept.push(numbersOf(r, shared));
          yield r;
        }
      }
    }
  }
  if (samplesPath !== undefined) await writeSamplesJsonl(records(), samplesPath);
  else for (const _ of records());
  const models = [...new Set(req.runs.flatMap((r) => r.config.models))];
  const questions = [...new Set(req.runs.flatMap((r) => r.config.questions))];
  const judges = [...new Set(req.runs.map((r) => r.config.judge).filter((j): j is string => j !== null))];
  const doc = buildResults(kept, {
    suite: [...new Set(req.runs.flatMap((r) => r.config.suites))].join(', '),
    thresholds: req.thresholds,
    judge: judges.length === 0 ? null : judges.join(', '),
    models,
    questions,
    groups: req.groups,
    comparisons: req.comparisons,
    runIds: req.runs.map((r) => r.runId),
  });
  return { doc, examples: examples.result() };
}

/**
 * Writes results.json, samples.jsonl and report.html of one run into its directory and prints
 * the terminal table. Everything is computed from the database, so it can be redone at any time.
 */
export async function writeRunOutputs(opts: {
  store: Store;
  runId: string;
  outDir: string;
  thresholds: Thresholds;
  groups: GroupSpec[];
  comparisons: ComparisonSpec[];
  printTable: boolean;
}): Promise<string[]> {
  const run = loadRun(opts.store, opts.runId);
  const { files } = await writeReportFiles({ runs: [run], thresholds: opts.thresholds, groups: opts.groups, comparisons: opts.comparisons }, opts.outDir, opts.printTable);
  return files;
}

/** results.json, samples.jsonl and report.html of the runs in `req`, in `outDir` (the page at `htmlPath` if given). */
export async function writeReportFiles(req: ReportRequest, outDir: string, printTable: boolean, htmlPath = join(outDir, 'report.html')): Promise<{ files: string[]; doc: ResultsDocument }> {
  const files = [join(outDir, 'results.json'), join(outDir, 'samples.jsonl'), htmlPath];
  const { doc, examples } = await buildReport(req, files[1]!);
  await writeResultsJson(doc, files[0]!);
  await writeTextFile(renderHtmlReport(doc, examples), files[2]!);
  if (printTable) process.stdout.write(`${renderTerminalTable(doc, { width: Math.max(80, process.stdout.columns ?? 100) })}\n`);
  return { files, doc };
}
