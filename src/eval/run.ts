import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { DamagedDatabaseError, type Store } from '../store/store.js';
import { ProviderError } from '../providers/errors.js';
import type { ModelProvider } from '../providers/types.js';
import { CachedProvider } from './cached-provider.js';
import type { PlannedSample } from './plan.js';
import { judgeSample, type JudgeSettings, type JudgedQuestion } from './judging.js';
import { DIGIT_SPLIT_FIX } from '../judge/judge.js';

export interface EvalProgress {
  total: number;
  /** Samples answered and fully judged (this run or earlier ones). */
  done: number;
  /** Of `done`, those whose answer was already in the database (an earlier run, or a shared cache). */
  resumed: number;
  /** Samples that failed for good in this process (they are retried by the next run). */
  failed: number;
  /** Requests actually sent to a backend by this process. */
  sent: number;
  /** Tokens the backends reported for those requests. */
  inputTokens: number;
  outputTokens: number;
  elapsedMs: number;
}

export interface EvalInput {
  store: Store;
  runId: string;
  /** Canonical run configuration, stored with the run (its hash is runId). */
  config: unknown;
  plan: PlannedSample[];
  /** One provider per model id in the plan, already wrapped by a scheduler (retries, limits). */
  models: Map<string, ModelProvider>;
  /** The judge, already wrapped by a scheduler; null when no question needs one. */
  judge: ModelProvider | null;
  questions: Map<string, JudgedQuestion>;
  judgeSettings: JudgeSettings;
  /** How many samples are worked on at once across all models (the schedulers limit each backend). */
  parallelism: number;
  onProgress?: (p: EvalProgress) => void;
  signal?: AbortSignal;
}

export interface EvalOutcome {
  status: 'complete' | 'incomplete';
  progress: EvalProgress;
  /** Set when a model or the judge failed in a way no retry can fix (bad key, unknown model). */
  fatal?: ProviderError;
  /** One line per sample that failed for good (first few kept in full). */
  failures: { model: string; questionId: string; sampleIndex: number; message: string }[];
}

const HEARTBEAT_MS = 5_000;

/** Judgments seen before a digit-split judge stops the run (fewer could be chance). */
const DIGIT_SPLIT_MIN_JUDGMENTS = 10;

/**
 * Takes every planned sample that the database does not already hold: asks the model, then the
 * judge, committing each answer and judgment as it arrives. Safe to kill at any point and to run
 * again with the same plan: what is stored is never asked again.
 */
export async function runEval(input: EvalInput): Promise<EvalOutcome> {
  const { store, runId } = input;
  const cachedModels = new Map<string, CachedProvider>();
  for (const [id, provider] of input.models) cachedModels.set(id, new CachedProvider(provider, store));
  const cachedJudge = input.judge === null ? null : new CachedProvider(input.judge, store);
  assertPlanKeys(input.plan, cachedModels);
  let fatal: ProviderError | undefined;
  let damaged: DamagedDatabaseError | undefined;
  const stop = new AbortController();
  // Every request in flight listens to this one signal.
  setMaxListeners(0, stop.signal);
  const created = store.ensureRun(runId, input.config);
  store.acquireLease(runId);
  let leaseLost = false;
  const heartbeat = setInterval(() => {
    // A process stalled past LEASE_STALE_MS may have been replaced by another; both sending the
    // same requests would double the cost, so the one that lost the lease stops.
    if (!store.renewLease(runId) && !leaseLost) {
      leaseLost = true;
      fatal ??= new ProviderError('client', `${store.path}: another emlab process took this run over while this one was stalled; this process stops (its answers so far are saved)`);
      stop.abort();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  store.setRunStatus(runId, 'running');
  store.addEvent(runId, created ? 'started' : 'resumed', { pid: process.pid, host: hostname(), planned: input.plan.length });
  store.addRunItems(
    input.plan.map((p) => ({
      runId,
      model: p.model,
      questionId: p.questionId,
      sampleIndex: p.sampleIndex,
      paraphraseIndex: p.paraphraseIndex,
      item: p.item,
      responseKey: p.responseKey,
    })),
  );

  const started = performance.now();
  const progress: EvalProgress = { total: input.plan.length, done: 0, resumed: 0, failed: 0, sent: 0, inputTokens: 0, outputTokens: 0, elapsedMs: 0 };
  const failures: EvalOutcome['failures'] = [];
  const onAbort = (): void => stop.abort();
  input.signal?.addEventListener('abort', onAbort);

  const report = (): void => {
    progress.elapsedMs = performance.now() - started;
    const all = [...cachedModels.values(), ...(cachedJudge ? [cachedJudge] : [])];
    progress.sent = all.reduce((s, c) => s + c.stats.sent, 0);
    progress.inputTokens = all.reduce((s, c) => s + c.stats.inputTokens, 0);
    progress.outputTokens = all.reduce((s, c) => s + c.stats.outputTokens, 0);
    input.onProgress?.({ ...progress });
  };

  // A judge that writes numbers digit by digit scores only the first digit: a run judged mostly so
  // has meaningless rates, so it stops (what is stored is kept) with the fix named.
  const judged = { scored: 0, digitSplit: 0 };
  const digitSplitStop = (minimum: number): ProviderError | undefined => {
    if (judged.scored < minimum || judged.scored === 0 || judged.digitSplit * 2 <= judged.scored) return undefined;
    return new ProviderError(
      'client',
      `judge ${input.judge?.id ?? ''} writes numbers digit by digit on ${judged.digitSplit} of ${judged.scored} judgments, so its 0-100 scores read only the first digit; use ${DIGIT_SPLIT_FIX} (the answers so far are saved)`,
    );
  };

  const work = async (sample: PlannedSample): Promise<void> => {
    const model = cachedModels.get(sample.model);
    if (!model) throw new Error(`no provider for model ${sample.model}`);
    try {
      // One read tells a resumed sample and serves its answer (the plan's key is checked to be the provider's).
      const stored = model.storedAnswer(sample.responseKey);
      const answeredBefore = stored !== undefined;
      const response = stored ?? (await model.chatAt(sample.request, sample.sampleIndex, { signal: stop.signal }, sample.responseKey));
      const answer = response.completions[0]?.text;
      if (answer === undefined) throw new ProviderError('bad_response', 'the backend returned no completion');
      const question = input.questions.get(sample.questionId);
      if (!question) throw new Error(`question ${sample.questionId} is not in the suite`);
      const tally = await judgeSample({ store, runId, sample, answer, question, judge: cachedJudge, settings: input.judgeSettings, signal: stop.signal });
      judged.scored += tally.scored;
      judged.digitSplit += tally.digitSplit;
      const digitSplit = digitSplitStop(DIGIT_SPLIT_MIN_JUDGMENTS);
      if (digitSplit && !fatal) {
        fatal = digitSplit;
        stop.abort();
      }
      progress.done++;
      if (answeredBefore) progress.resumed++;
    } catch (err) {
      if (err instanceof DamagedDatabaseError) {
        // Every further read may fail alike: the run stops and says so once.
        damaged ??= err;
        stop.abort();
        return;
      }
      if (stop.signal.aborted && !(err instanceof ProviderError && err.fatal)) return;
      if (err instanceof ProviderError && err.fatal) {
        fatal ??= err;
        stop.abort();
        return;
      }
      progress.failed++;
      const message = err instanceof Error ? err.message : String(err);
      failures.push({ model: sample.model, questionId: sample.questionId, sampleIndex: sample.sampleIndex, message });
    } finally {
      report();
    }
  };

  // A fixed pool of workers pulling from the plan keeps memory flat for plans of any size.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted && next < input.plan.length) {
      const sample = input.plan[next++]!;
      await work(sample);
    }
  };
  try {
    report();
    await Promise.all(Array.from({ length: Math.max(1, input.parallelism) }, worker));
    if (damaged) throw damaged;
    // A run too small to reach the minimum is judged on all it has.
    fatal ??= digitSplitStop(1);
  } finally {
    clearInterval(heartbeat);
    input.signal?.removeEventListener('abort', onAbort);
    const complete = progress.done === progress.total;
    // A process that lost the run to another leaves its status to the new holder.
    if (!leaseLost) store.setRunStatus(runId, complete ? 'complete' : 'incomplete');
    store.addEvent(runId, 'stopped', { done: progress.done, failed: progress.failed, total: progress.total, fatal: fatal?.message });
    store.releaseLease(runId);
  }
  report();
  const outcome: EvalOutcome = { status: progress.done === progress.total ? 'complete' : 'incomplete', progress, failures };
  if (fatal) outcome.fatal = fatal;
  return outcome;
}

/**
 * A plan built without a model's content version would record answer keys that the cached provider
 * never stores under: the report would find no answers and every resume would count nothing. The
 * first sample of each model is enough to tell.
 */
function assertPlanKeys(plan: readonly PlannedSample[], models: ReadonlyMap<string, CachedProvider>): void {
  const checked = new Set<string>();
  for (const sample of plan) {
    if (checked.has(sample.model)) continue;
    checked.add(sample.model);
    const model = models.get(sample.model);
    if (model && model.keyOf(sample.request, sample.sampleIndex) !== sample.responseKey) {
      throw new Error(`the plan's answer keys for ${sample.model} do not match its provider (content version ${model.version ?? 'none'}): build the plan with the providers' versions`);
    }
  }
}
