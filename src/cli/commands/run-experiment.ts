import { resolve } from 'node:path';
import { loadExperiment } from '../../experiment/schema.js';
import { experimentOutDir, runExperiment, type EvalRequest, type ExperimentDeps } from '../../experiment/run.js';
import { experimentResults, renderExperimentSummary, renderPlan, writeExperimentOutputs } from '../../experiment/report.js';
import { isBuiltinSuiteName, loadSuite, type Suite } from '../../suites/index.js';
import { demoSuite } from '../../studies/demo/questions.js';
import { resolveThresholds } from '../../stats/index.js';
import { Store } from '../../store/store.js';
import { EXIT } from '../errors.js';
import { terminalSafe } from '../terminal-text.js';
import { EVAL_DEFAULTS, runEvalSuites, type EvalFlags } from './eval-run.js';

export interface RunFlags {
  dryRun?: boolean;
  pin?: boolean;
  workers: number;
  pollInterval: number;
  retryFailed?: boolean;
  quiet?: boolean;
}

/** `organisms`: the organisms' open questions in their held-out wordings, judged by organism:judge's own prompts. */
export function organismsSuite(): Suite {
  const demo = demoSuite();
  return { ...demo, name: 'organisms', questions: demo.questions.filter((q) => q.tags.includes('open')) };
}

function suiteFor(nameOrPath: string, baseDir: string): Suite {
  if (nameOrPath === 'organisms') return organismsSuite();
  const suite = loadSuite(isBuiltinSuiteName(nameOrPath) ? nameOrPath : resolve(baseDir, nameOrPath));
  for (const warning of suite.warnings ?? []) process.stderr.write(`warning: ${terminalSafe(warning)}\n`);
  return suite;
}

function evalFlags(req: EvalRequest, quiet: boolean): EvalFlags {
  return {
    suite: [],
    model: req.models,
    judge: req.judge,
    ...(req.samples !== undefined ? { samples: req.samples } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...EVAL_DEFAULTS,
    maxTokens: req.maxTokens,
    concurrency: req.concurrency,
    judgeConcurrency: req.judgeConcurrency,
    // Organisms decode a large batch at a time on a busy machine: give a request room.
    timeout: 600,
    judgeMethod: req.judgeMethod,
    thresholds: req.thresholds,
    ...(req.batch ? { batch: true } : {}),
    group: req.groups.filter((g) => g.members.length > 0).map((g) => `${g.name}=${g.members.join(',')}`),
    compare: req.comparisons.map((c) => `${c.a},${c.b}`),
    out: req.outDir,
    db: req.dbPath,
    ...(quiet ? { quiet: true } : {}),
  };
}

export async function runExperimentCommand(file: string, flags: RunFlags): Promise<number> {
  const quiet = flags.quiet === true;
  const log = (line: string): void => {
    if (!quiet) process.stderr.write(`${terminalSafe(line)}\n`);
  };
  if (flags.pin) {
    const { pinExperimentFile } = await import('../../experiment/pin.js');
    const r = await pinExperimentFile(file, {}, log);
    const kept = r.alreadyPinned.length > 0 ? `; already pinned: ${r.alreadyPinned.join(', ')}` : '';
    process.stderr.write(`${terminalSafe(r.pinned.length > 0 ? `${file}: ${r.pinned.length} dataset(s) pinned${kept}` : `${file}: nothing to pin${kept}`)}\n`);
    return EXIT.ok;
  }
  const exp = loadExperiment(file, { allowUnpinned: flags.dryRun === true });
  const deps: ExperimentDeps = {
    loadSuite: suiteFor,
    evaluate: async (req) => {
      log(`evaluation ${req.name}: ${req.models.length} models -> ${req.outDir}`);
      const r = await runEvalSuites(evalFlags(req, quiet), req.suites, { printTable: false });
      return { code: r.code, runId: r.runId, requestsSent: r.requestsSent };
    },
    rewriteOutputs: async (req, runId) => {
      const { writeRunOutputs } = await import('../run-outputs.js');
      const store = Store.open(req.dbPath);
      try {
        await writeRunOutputs({ store, runId, outDir: req.outDir, thresholds: resolveThresholds(req.thresholds, {}), groups: req.groups.filter((g) => g.members.length > 0), comparisons: req.comparisons, printTable: false });
      } finally {
        store.close();
      }
    },
    log,
  };
  const stop = new AbortController();
  const onSigint = (): void => stop.abort(new Error('interrupted'));
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  let outcome;
  try {
    outcome = await runExperiment(exp, deps, { ...(flags.dryRun ? { dryRun: true } : {}), workers: flags.workers, pollMs: flags.pollInterval * 1000, ...(flags.retryFailed ? { retryFailed: true } : {}), signal: stop.signal });
  } catch (err) {
    if (stop.signal.aborted) {
      process.stderr.write(`emlab run: interrupted; finished steps are kept and the next run resumes (${experimentOutDir(exp)})\n`);
      return EXIT.interrupted;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  if (flags.dryRun) {
    process.stdout.write(`${renderPlan(exp.name, outcome.steps, outcome.total).map(terminalSafe).join('\n')}\n`);
    return EXIT.ok;
  }
  const doc = experimentResults(exp, outcome);
  const written = await writeExperimentOutputs(doc, outcome.outDir);
  process.stdout.write(`${renderExperimentSummary(doc).map(terminalSafe).join('\n')}\n`);
  process.stderr.write(`wrote ${written.join(', ')}\n`);
  if (outcome.gates.some((g) => g.status === 'fail')) return EXIT.regression;
  // A failed fine-tune does not mend itself by running again: that is an error to act on.
  const failed = outcome.steps.find((s) => s.status === 'failed');
  if (failed) {
    process.stderr.write(`emlab: ${terminalSafe(failed.id)}: ${terminalSafe(failed.detail)}\n`);
    return EXIT.error;
  }
  return doc.status === 'complete' ? EXIT.ok : EXIT.incomplete;
}
