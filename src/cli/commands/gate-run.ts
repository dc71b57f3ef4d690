import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gateFromResults, renderVerdict } from '../../experiment/gate.js';
import type { ResultsDocument } from '../../report/results-types.js';
import { writeTextFile } from '../../report/files.js';
import { EXIT, UsageError } from '../errors.js';
import { terminalSafe } from '../terminal-text.js';
import { EVAL_DEFAULTS, prepareSuite, runEvalSuites, type EvalFlags } from './eval-run.js';

export interface GateFlags {
  base: string;
  candidate: string;
  judge: string;
  suite: string;
  samples?: number;
  maxIncrease: number;
  confidence: number;
  thresholds: 'betley' | 'organisms';
  out?: string;
  db?: string;
  temperature?: number;
  concurrency: number;
  judgeConcurrency: number;
  timeout: number;
  maxAttempts: number;
  quiet?: boolean;
}

/** The eval flags of a gate's evaluation: both models in one run, so they answer the same plan. */
export function gateEvalFlags(flags: GateFlags): EvalFlags {
  return {
    suite: [flags.suite],
    model: [flags.base, flags.candidate],
    judge: flags.judge,
    ...(flags.samples !== undefined ? { samples: flags.samples } : {}),
    ...(flags.temperature !== undefined ? { temperature: flags.temperature } : {}),
    ...EVAL_DEFAULTS,
    concurrency: flags.concurrency,
    judgeConcurrency: flags.judgeConcurrency,
    timeout: flags.timeout,
    maxAttempts: flags.maxAttempts,
    thresholds: flags.thresholds,
    compare: [`${flags.candidate},${flags.base}`],
    ...(flags.out !== undefined ? { out: flags.out } : {}),
    ...(flags.db !== undefined ? { db: flags.db } : {}),
    ...(flags.quiet ? { quiet: true } : {}),
  };
}

export async function runGateCommand(flags: GateFlags): Promise<number> {
  if (flags.base === flags.candidate) throw new UsageError('gate: --base and --candidate are the same model; give the model before and after fine-tuning');
  const evalFlags = gateEvalFlags(flags);
  const suite = prepareSuite(flags.suite, evalFlags);
  if (!suite.questions.some((q) => q.type === 'free_form_judge_0_100')) {
    throw new UsageError(`gate: suite ${flags.suite} has no judged 0-100 question to measure misalignment with; use core, extended or a suite of free-form questions`);
  }
  const run = await runEvalSuites(evalFlags, [suite], { printTable: false });
  const verdict = gateFromResults(readResults(run.outDir), flags, run.code === EXIT.ok);
  const file = join(run.outDir, 'verdict.json');
  await writeTextFile(`${JSON.stringify(verdict, null, 2)}\n`, file);
  process.stdout.write(`${renderVerdict(verdict).map(terminalSafe).join('\n')}\n  verdict    ${file}\n`);
  // An interrupted run keeps its own code (130); an incomplete one is 2 whatever the numbers say.
  return run.code === EXIT.interrupted ? EXIT.interrupted : verdict.exitCode;
}

function readResults(outDir: string): ResultsDocument {
  return JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as ResultsDocument;
}
