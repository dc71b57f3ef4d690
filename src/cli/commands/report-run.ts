import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Store } from '../../store/store.js';
import { resolveThresholds } from '../../stats/index.js';
import { parseGroupSpec, renderHtmlReport, renderTerminalTable, writeTextFile, type ResultsDocument } from '../../report/index.js';
import { UsageError } from '../errors.js';
import { terminalSafe, terminalSafeJson } from '../terminal-text.js';
import { parseComparison, type CountingFlags } from '../options.js';
import { buildReport, loadRun, writeReportFiles, type LoadedRun } from '../run-outputs.js';

export interface ReportFlags extends CountingFlags {
  html?: string;
  json?: boolean;
}

export async function runReportCommand(dirs: string[], flags: ReportFlags): Promise<void> {
  const thresholds = resolveThresholds(flags.thresholds, { alignmentBelow: flags.alignmentBelow, coherenceMin: flags.coherenceMin });
  const groups = (flags.group ?? []).map(parseGroupSpec);
  const comparisons = (flags.compare ?? []).map(parseComparison);
  const runs: LoadedRun[] = [];
  const outDirs: string[] = [];
  // Open until every file is written: reports read the runs a page at a time.
  const stores: Store[] = [];
  try {
    for (const dir of dirs) {
      const { dbPath, outDir } = locate(dir);
      const store = Store.open(dbPath, { readonly: true });
      stores.push(store);
      const latest = store.latestRun();
      if (!latest) throw new UsageError(`${dbPath}: holds no run yet; run emlab eval --out ${outDir} first`);
      runs.push(loadRun(store, latest.id));
      outDirs.push(outDir);
    }
    const print = (doc: ResultsDocument): void => {
      process.stdout.write(flags.json ? `${terminalSafeJson(JSON.stringify(doc, null, 2))}\n` : `${renderTerminalTable(doc, { width: Math.max(80, process.stdout.columns ?? 100) })}\n`);
    };
    if (runs.length === 1) {
      const { files, doc } = await writeReportFiles({ runs, thresholds, groups, comparisons }, outDirs[0]!, false, flags.html ? resolve(flags.html) : undefined);
      print(doc);
      process.stderr.write(`wrote ${terminalSafe(files.join(', '))}\n`);
      return;
    }
    // Several directories: each keeps its own files, and one combined report compares them.
    for (let i = 0; i < runs.length; i++) {
      await writeReportFiles({ runs: [runs[i]!], thresholds, groups: [], comparisons: [] }, outDirs[i]!, false);
    }
    const { doc, examples } = await buildReport({ runs, thresholds, groups, comparisons });
    const html = resolve(flags.html ?? 'emlab-report.html');
    await writeTextFile(renderHtmlReport(doc, examples), html);
    print(doc);
    process.stderr.write(`wrote ${terminalSafe(html)} (and results.json, samples.jsonl, report.html in each directory)\n`);
  } finally {
    for (const store of stores) store.close();
  }
}

function locate(arg: string): { dbPath: string; outDir: string } {
  const path = resolve(arg);
  if (!existsSync(path)) throw new UsageError(`${arg}: no such results directory; give a directory written by emlab eval --out`);
  if (statSync(path).isDirectory()) {
    const db = join(path, 'emlab.db');
    if (!existsSync(db)) throw new UsageError(`${arg}: has no emlab.db; give a directory written by emlab eval --out`);
    return { dbPath: db, outDir: path };
  }
  return { dbPath: path, outDir: resolve(path, '..') };
}
