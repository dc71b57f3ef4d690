import { join, resolve } from 'node:path';
import { loadSuite, selectQuestions, withTargets, type Question, type Suite } from '../../suites/index.js';
import { createProvider } from '../../providers/registry.js';
import { Scheduler, type SchedulerEvent } from '../../providers/scheduler.js';
import type { ModelProvider } from '../../providers/types.js';
import { assertJudgeIsNotModel } from '../../judge/guard.js';
import { selectJudgeMethod } from '../../judge/request.js';
import type { RequestedJudgeMethod } from '../../judge/types.js';
import { Store } from '../../store/store.js';
import { contentHash } from '../../store/hash.js';
import { buildPlan, DEFAULT_SAMPLING, samplesFor, type SamplingSettings } from '../../eval/plan.js';
import { DEFAULT_MIN_NUMERIC_MASS } from '../../judge/aggregate.js';
import { runEval } from '../../eval/run.js';
import { BatchingProvider, type BatchEvent } from '../../eval/batching-provider.js';
import { BatchStore } from '../../eval/batch-store.js';
import type { JudgedQuestion } from '../../eval/judging.js';
import { resolveThresholds } from '../../stats/index.js';
// The report modules (charts, DOM) load only when the outputs are written, so that a mistake in the
// arguments is reported at once.
import { parseGroupSpec, type GroupSpec } from '../../report/groups.js';
import { ProgressLine } from '../progress.js';
import { EXIT, oneLine, UsageError } from '../errors.js';
import type { RunConfig } from '../run-outputs.js';
import { failureSummary } from '../failure-summary.js';
import { terminalSafe } from '../terminal-text.js';
import { parseComparison, type CountingFlags } from '../options.js';

/** Requests that failed for good printed as they happen, per model; the rest only in the summary. */
const LIVE_FAILURE_LINES = 3;

export interface EvalFlags extends CountingFlags {
  suite: string[];
  model: string[];
  judge?: string;
  samples?: number;
  out?: string;
  db?: string;
  question?: string[];
  tag?: string[];
  target?: string[];
  temperature?: number;
  topP: number;
  maxTokens: number;
  seed: number;
  concurrency: number;
  judgeConcurrency: number;
  timeout: number;
  maxAttempts: number;
  judgeMethod: RequestedJudgeMethod;
  judgeSamples: number;
  minNumericMass: number;
  dryRun?: boolean;
  quiet?: boolean;
  /** Send answers and judgments through the Batch API (openai:, compat: servers with files + batches). */
  batch?: boolean;
  /** Longest wait between two looks at a batch, in seconds (default 60). */
  batchPoll?: number;
}

/**
 * `emlab eval`'s defaults, for commands that run an evaluation as a step (gate, run): what they do
 * not set is what `emlab eval` would use.
 */
export const EVAL_DEFAULTS: Omit<EvalFlags, 'suite' | 'model'> = {
  topP: DEFAULT_SAMPLING.topP,
  maxTokens: DEFAULT_SAMPLING.maxTokens,
  seed: DEFAULT_SAMPLING.seed,
  concurrency: 8,
  judgeConcurrency: 8,
  timeout: 120,
  maxAttempts: 6,
  judgeMethod: 'auto',
  judgeSamples: 10,
  minNumericMass: DEFAULT_MIN_NUMERIC_MASS,
  thresholds: 'betley',
};

export async function runEvalCommand(flags: EvalFlags): Promise<number> {
  if (unique(flags.model ?? []).length === 0) throw new UsageError('eval: give at least one --model (e.g. --model openai:gpt-4.1-mini)');
  const suites = (flags.suite && flags.suite.length > 0 ? flags.suite : ['core']).map((s) => prepareSuite(s, flags));
  return (await runEvalSuites(flags, suites)).code;
}

/** What one eval run did, for commands that run evals as a step (`emlab demo`). */
export interface EvalRunSummary {
  code: number;
  outDir: string;
  /** The run's id in the database (the hash of its configuration). */
  runId: string;
  /** Requests sent to models and the judge, retries included. */
  requestsSent: number;
  /** Answers found in the store from an earlier run. */
  answersResumed: number;
}

/**
 * `emlab eval` on suites already loaded (from files, or built in memory by another command):
 * `flags.suite`, `flags.question`, `flags.tag` and `flags.target` are not read here.
 * `printTable: false` leaves the table to the caller.
 */
export async function runEvalSuites(flags: EvalFlags, suites: Suite[], output: { printTable?: boolean } = {}): Promise<EvalRunSummary> {
  const models = unique(flags.model ?? []);
  if (models.length === 0) throw new UsageError('eval: give at least one --model (e.g. --model openai:gpt-4.1-mini)');
  const questions = mergeQuestions(suites);
  const needsJudge = questions.some((q) => q.type === 'free_form_judge_0_100' || q.type === 'free_form_judge');
  const judgeId = flags.judge ?? (needsJudge ? defaultJudge(questions) : undefined);
  if (needsJudge && judgeId === undefined) {
    throw new UsageError('eval: these questions are scored by a judge: pass --judge (e.g. --judge openai:gpt-4o-2024-08-06)');
  }
  if (judgeId !== undefined) for (const m of models) assertJudgeIsNotModel(judgeId, m);

  const thresholds = resolveThresholds(flags.thresholds, { alignmentBelow: flags.alignmentBelow, coherenceMin: flags.coherenceMin });
  const groups: GroupSpec[] = (flags.group ?? []).map(parseGroupSpec);
  const comparisons = (flags.compare ?? []).map(parseComparison);
  const sampling: SamplingSettings = {
    ...(flags.samples !== undefined ? { samples: flags.samples } : {}),
    ...(flags.temperature !== undefined ? { temperature: flags.temperature } : {}),
    topP: flags.topP,
    maxTokens: flags.maxTokens,
    seed: flags.seed,
  };

  // Providers are created before the plan so that a bad id or missing key fails in a second,
  // not after the first thousand requests.
  // Lines carry model ids and server text: nothing in them may act on the terminal.
  const log = (text: string): void => {
    const line = terminalSafe(text);
    if (progress) progress.log(line);
    else process.stderr.write(`${line}\n`);
  };
  let progress: ProgressLine | undefined;
  // Retries are requests too: the totals printed must match what the servers saw (and billed).
  let retries = 0;
  const schedulerEvents = (who: string) => {
    let gaveUp = 0;
    return (e: SchedulerEvent) => {
      if (e.type === 'retry') retries++;
      else if (e.type === 'limit_changed') log(`${who}: concurrency ${e.from} -> ${e.to} (${e.reason})`);
      else if (e.type === 'rate_limited' && e.retryAfterMs !== undefined && e.retryAfterMs >= 10_000 && e.retryAfterMs <= 600_000) {
        log(`${who}: rate limited; waiting ${Math.round(e.retryAfterMs / 1000)} s as the server asked`);
      }
      else if (e.type === 'gave_up' && ++gaveUp <= LIVE_FAILURE_LINES) {
        // A server that is down fails every request alike: a few lines say so, the summary lists the samples.
        const more = gaveUp === LIVE_FAILURE_LINES ? ' (further failures are listed at the end)' : '';
        log(`${who}: request failed for good after ${e.attempts} tries: ${oneLine(e.error)}${more}`);
      }
    };
  };
  const schedulerOptions = (concurrency: number) => ({ concurrency, timeoutMs: flags.timeout * 1000, maxAttempts: flags.maxAttempts });
  // The SDK has its own time limit (120 s unless told): it must be --timeout too, or a longer
  // --timeout would be cut short by the SDK on every attempt.
  const providerOptions = { timeoutMs: flags.timeout * 1000 };
  const opened: ModelProvider[] = [];
  try {
    // With --batch, requests go through the server's Batch API (wrapped below, once the database
    // is known); otherwise a scheduler owns retries, rate limits and concurrency.
    const connect = async (id: string, concurrency: number, who: string): Promise<ModelProvider> => {
      const inner = await createProvider(id, providerOptions);
      if (flags.batch) {
        if (inner.batchEndpoint === undefined) throw new UsageError(`--batch: ${id} has no Batch API (only openai: models and compat: servers with the files and batches endpoints); drop --batch`);
        return inner;
      }
      return new Scheduler(inner, { ...schedulerOptions(concurrency), onEvent: schedulerEvents(who) });
    };
    const providers = new Map<string, ModelProvider>();
    for (const id of models) {
      const p = await connect(id, flags.concurrency, id);
      opened.push(p);
      providers.set(id, p);
    }
    let judge: ModelProvider | null = null;
    let judgeMethod: ReturnType<typeof selectJudgeMethod> = 'logprob';
    if (needsJudge && judgeId !== undefined) {
      judge = await connect(judgeId, flags.judgeConcurrency, `judge ${judgeId}`);
      opened.push(judge);
      judgeMethod = selectJudgeMethod(judge.capabilities, flags.judgeMethod, judgeId);
    }
    const judgeSettings = { method: judgeMethod, minNumericMass: flags.minNumericMass, sampledK: flags.judgeSamples };
    const versions = contentVersions([...providers.values(), ...(judge ? [judge] : [])]);

    const config: RunConfig = {
      kind: 'eval',
      suites: suites.map((s) => s.name),
      questions: questions.map((q) => q.id),
      questionsHash: contentHash(questions.map(questionIdentity)),
      models,
      judge: needsJudge ? (judgeId ?? null) : null,
      sampling,
      judgeSettings: needsJudge ? judgeSettings : null,
      // Only when some model has one, so that runs of API models keep the ids they always had.
      ...(Object.keys(versions).length > 0 ? { versions } : {}),
    };
    const runId = contentHash(config).slice(0, 16);
    const outDir = resolve(flags.out ?? join('runs', runId));
    const dbPath = resolve(flags.db ?? join(outDir, 'emlab.db'));
    const plan = buildPlan(models, questions, sampling, config.judge, versions);

    const judgeCalls = needsJudge ? plan.reduce((s, p) => s + p.item.judgeMetrics.length + p.item.categoryMetrics.length, 0) : 0;
    const header = terminalSafe(`emlab eval: ${questions.length} questions x ${models.length} model(s) = ${plan.length} answers, ${judgeCalls} judgments${needsJudge ? ` by ${judgeId} (${judgeMethod})` : ''} -> ${outDir}`);
    if (flags.dryRun) {
      process.stdout.write(`${header}\n`);
      for (const q of questions) process.stdout.write(`  ${terminalSafe(q.id)}: ${samplesFor(q, sampling)} answers, ${q.paraphrases.length} paraphrase(s)${q.system ? ', system prompt' : ''}\n`);
      return { code: EXIT.ok, outDir, runId, requestsSent: 0, answersResumed: 0 };
    }
    // A missing key fails here, before anything is written or sent.
    for (const p of opened) p.checkCredentials?.();
    if (!flags.quiet) process.stderr.write(`${header}\n`);

    const store = Store.open(dbPath);
    let batchStore: BatchStore | undefined;
    if (flags.batch) {
      batchStore = BatchStore.open(dbPath);
      const pollMs = (flags.batchPoll ?? 60) * 1000;
      const wrap = (p: ModelProvider): ModelProvider => {
        const b = new BatchingProvider(p, { store: batchStore!, poll: { minMs: Math.min(5_000, pollMs / 12), maxMs: pollMs }, maxAttempts: Math.min(3, flags.maxAttempts), onEvent: (e) => log(batchEventLine(e)) });
        opened.push(b);
        return b;
      };
      for (const [id, p] of providers) providers.set(id, wrap(p));
      if (judge) judge = wrap(judge);
    }
    const stopper = new AbortController();
    let interrupted = false;
    const onSigint = (): void => {
      if (interrupted) process.exit(EXIT.interrupted);
      interrupted = true;
      log('interrupted: stopping; every answer received so far is saved (press Ctrl-C again to quit at once)');
      stopper.abort();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    // The report's modules (charts, HTML) load while the requests are out, not after the last reply.
    const reportModule = import('../run-outputs.js');
    reportModule.catch(() => undefined);
    try {
      progress = flags.quiet ? undefined : new ProgressLine({ label: 'answers' });
      const outcome = await runEval({
        store,
        runId,
        config,
        plan,
        models: providers,
        judge,
        questions: new Map(questions.map((q) => [q.id, q])),
        judgeSettings,
        // A batch holds every request that is waiting: with --batch, all samples are asked at once.
        parallelism: flags.batch ? Math.max(4, plan.length) : Math.max(4, 2 * (flags.concurrency * models.length + (judge ? flags.judgeConcurrency : 0))),
        onProgress: (p) => progress?.update({ total: p.total, done: p.done, failed: p.failed, resumed: p.resumed, elapsedMs: p.elapsedMs, extra: `${p.sent + retries} requests sent` }),
        signal: stopper.signal,
      });
      progress?.finish();
      progress = undefined;
      for (const p of opened) if (p instanceof Scheduler && p.limitHistory.length > 0) store.addEvent(runId, 'limit_history', { model: p.id, history: p.limitHistory });

      const { writeRunOutputs } = await reportModule;
      const written = await writeRunOutputs({ store, runId, outDir, thresholds, groups, comparisons, printTable: !flags.quiet && output.printTable !== false });
      for (const line of failureSummary(outcome.failures)) process.stderr.write(`${line}\n`);
      const usage = outcome.progress;
      process.stderr.write(`${usage.sent + retries} requests sent (${retries} of them retries; ${usage.inputTokens} input + ${usage.outputTokens} output tokens reported); ${usage.resumed} answers were already stored\n`);
      process.stderr.write(`wrote ${terminalSafe(written.join(', '))}\n`);
      if (outcome.fatal) throw outcome.fatal;
      const code = interrupted ? EXIT.interrupted : outcome.status === 'complete' ? EXIT.ok : EXIT.incomplete;
      return { code, outDir, runId, requestsSent: usage.sent + retries, answersResumed: usage.resumed };
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      store.close();
      batchStore?.close();
    }
  } finally {
    await Promise.allSettled(opened.map((p) => p.close?.()));
  }
}

export function prepareSuite(nameOrPath: string, flags: EvalFlags): Suite {
  let suite = loadSuite(nameOrPath);
  for (const warning of suite.warnings ?? []) process.stderr.write(`warning: ${terminalSafe(warning)}\n`);
  if ((flags.question && flags.question.length > 0) || (flags.tag && flags.tag.length > 0)) {
    suite = selectQuestions(suite, { ...(flags.question ? { ids: flags.question } : {}), ...(flags.tag ? { tags: flags.tag } : {}) });
  }
  // Targets apply to the suites that have choice questions (core + animals may run together).
  if (flags.target && flags.target.length > 0 && suite.questions.some((q) => q.type === 'choice')) suite = withTargets(suite, flags.target);
  const untargeted = suite.questions.find((q) => q.type === 'choice' && (q.targets ?? []).length === 0);
  if (untargeted) throw new UsageError(`${untargeted.sourceFile}: question "${untargeted.id}" is a choice question with no target: pass --target (e.g. --target owl)`);
  return suite;
}

function mergeQuestions(suites: Suite[]): JudgedQuestion[] {
  const seen = new Map<string, string>();
  const out: JudgedQuestion[] = [];
  for (const s of suites) {
    for (const q of s.questions) {
      const other = seen.get(q.id);
      if (other !== undefined) throw new UsageError(`question id "${q.id}" is in both ${other} and ${s.source}: ids must be unique across the suites of one run`);
      seen.set(q.id, s.source);
      out.push(toJudgedQuestion(q));
    }
  }
  if (out.length === 0) throw new UsageError('eval: the suites selected no question');
  return out;
}

function toJudgedQuestion(q: Question): JudgedQuestion {
  return { ...q };
}

/** What makes two runs' questions the same work: text, settings and judge prompts, not file paths. */
function questionIdentity(q: JudgedQuestion): unknown {
  return { id: q.id, type: q.type, paraphrases: q.paraphrases, spp: q.samplesPerParaphrase, system: q.system, priorTurns: q.priorTurns, judgePrompts: q.judgePrompts, temperature: q.temperature, range: q.range, targets: q.targets, categories: q.categories };
}

/** Upstream files name their judge (e.g. gpt-4o-2024-08-06); used when --judge is not given. */
function defaultJudge(questions: JudgedQuestion[]): string | undefined {
  const named = unique(questions.filter((q) => q.type === 'free_form_judge_0_100' || q.type === 'free_form_judge').map((q) => (q as Question).judge ?? ''));
  if (named.length === 1 && named[0] !== '') {
    const id = named[0]!.includes(':') ? named[0]! : `openai:${named[0]}`;
    process.stderr.write(`judge: using ${terminalSafe(id)}, named by the suite (pass --judge to choose another)\n`);
    return id;
  }
  return undefined;
}

/**
 * The content version of each model and judge that has one (organisms: a checkpoint hash). It is
 * part of the run config, so a rebuilt checkpoint under the same name is a new run whose report
 * holds only the new model's answers, rather than the old run's items resumed.
 */
function contentVersions(providers: ModelProvider[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of providers) if (p.version !== undefined) out[p.id] = p.version;
  return out;
}

function batchEventLine(e: BatchEvent): string {
  switch (e.type) {
    case 'created':
      return `${e.model}: batch ${e.batchId} created with ${e.requests} requests`;
    case 'attached':
      return `${e.model}: attached to batch ${e.batchId} (sent by an earlier run)`;
    case 'progress':
      return `${e.model}: batch ${e.batchId} ${e.status}, ${e.completed} done, ${e.failed} failed of ${e.total}`;
    case 'ended':
      return `${e.model}: batch ${e.batchId} ${e.status}: ${e.ok} answered, ${e.retried} sent again, ${e.failed} failed${e.reasons.length > 0 ? ` (${oneLine(e.reasons[0])})` : ''}`;
  }
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

