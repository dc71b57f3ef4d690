import { join } from 'node:path';
import { DamagedDatabaseError, type Store } from '../store/store.js';
import { loadSampleRecords } from '../store/sample-records.js';
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
  records: SampleRecord[];
}

export function loadRun(store: Store, runId: string): LoadedRun {
  const run = store.getRun(runId);
  if (!run) throw new Error(`${store.path}: no run ${runId}`);
  const config = run.config as Partial<RunConfig>;
  if (!Array.isArray(config.models) || !Array.isArray(config.questions) || !Array.isArray(config.suites)) {
    throw new DamagedDatabaseError(store.path, `runs.config_json of run ${runId} lacks its models, questions or suites`);
  }
  return { runId, config: config as RunConfig, records: loadSampleRecords(store, runId) };
}

export interface ReportRequest {
  runs: LoadedRun[];
  thresholds: Thresholds;
  groups: GroupSpec[];
  comparisons: ComparisonSpec[];
}

export function buildReport(req: ReportRequest): { doc: ResultsDocument; records: SampleRecord[] } {
  const records = req.runs.flatMap((r) => r.records);
  const models = [...new Set(req.runs.flatMap((r) => r.config.models))];
  const questions = [...new Set(req.runs.flatMap((r) => r.config.questions))];
  const judges = [...new Set(req.runs.map((r) => r.config.judge).filter((j): j is string => j !== null))];
  const doc = buildResults(records, {
    suite: [...new Set(req.runs.flatMap((r) => r.config.suites))].join(', '),
    thresholds: req.thresholds,
    judge: judges.length === 0 ? null : judges.join(', '),
    models,
    questions,
    groups: req.groups,
    comparisons: req.comparisons,
    runIds: req.runs.map((r) => r.runId),
  });
  return { doc, records };
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
  const { doc, records } = buildReport({ runs: [run], thresholds: opts.thresholds, groups: opts.groups, comparisons: opts.comparisons });
  return writeReportFiles(doc, records, opts.outDir, opts.printTable);
}

export async function writeReportFiles(doc: ResultsDocument, records: SampleRecord[], outDir: string, printTable: boolean, htmlPath = join(outDir, 'report.html')): Promise<string[]> {
  const files = [join(outDir, 'results.json'), join(outDir, 'samples.jsonl'), htmlPath];
  await writeResultsJson(doc, files[0]!);
  await writeSamplesJsonl(records, files[1]!);
  await writeTextFile(renderHtmlReport(doc, records), files[2]!);
  if (printTable) process.stdout.write(`${renderTerminalTable(doc, { width: Math.max(80, process.stdout.columns ?? 100) })}\n`);
  return files;
}
