import { extname, resolve } from 'node:path';
import { setMaxListeners } from 'node:events';
import { writeFileAtomic } from '../../store/atomic-file.js';
import { FineTuneStore } from '../../finetune/job-store.js';
import { FineTuneApi, type JobState } from '../../finetune/openai-jobs.js';
import { cancelFineTunes, runFineTunes, FAILED_STATUSES, type FineTuneEvent, type FineTuneOutcome } from '../../finetune/run.js';
import { checkSuffix, type FineTuneSpec, type Hyperparameters } from '../../finetune/spec.js';
import { resolveTarget } from '../../finetune/target.js';
import { OPENAI_MIN_TRAINING_ROWS, readTrainingFile } from '../../finetune/training-file.js';
import { EXIT, oneLine, UsageError } from '../errors.js';
import { formatDuration, isInteractive } from '../progress.js';
import { terminalSafe } from '../terminal-text.js';

export interface FinetuneFlags {
  model: string;
  train: string;
  validation?: string;
  epochs: number | 'auto';
  batchSize: number | 'auto';
  lrMultiplier: number | 'auto';
  seed: number;
  seeds?: number;
  suffix?: string;
  wait: boolean;
  retryFailed?: boolean;
  cancel?: boolean;
  out?: string;
  db: string;
  pollInterval: number;
  timeout: number;
}

/**
 * One line on stderr, redrawn in place on a terminal, showing every job's status; log lines are
 * written above it. Elsewhere (pipes, CI logs) the status is a plain line at most every 30 s.
 */
class StatusLine {
  private readonly interactive = isInteractive(process.stderr);
  private text = '';
  private lastPlain = Date.now();

  set(text: string): void {
    this.text = text;
    if (this.interactive) process.stderr.write(`\r\x1b[2K${text.slice(0, Math.max(20, (process.stderr.columns ?? 100) - 1))}`);
    else if (Date.now() - this.lastPlain >= 30_000) {
      this.lastPlain = Date.now();
      process.stderr.write(`${text}\n`);
    }
  }

  log(line: string): void {
    if (this.interactive && this.text !== '') process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${line}\n`);
    if (this.interactive && this.text !== '') this.set(this.text);
  }

  clear(): void {
    if (this.interactive && this.text !== '') process.stderr.write('\r\x1b[2K');
    this.text = '';
  }
}

const hyper = (h: Hyperparameters): string => `epochs ${h.nEpochs}, batch size ${h.batchSize}, learning-rate multiplier ${h.learningRateMultiplier}`;
const clock = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().slice(11, 19);

async function buildSpecs(flags: FinetuneFlags): Promise<FineTuneSpec[]> {
  const target = resolveTarget(flags.model);
  if (flags.suffix !== undefined) {
    const problem = checkSuffix(flags.suffix);
    if (problem) throw new UsageError(`--suffix "${flags.suffix}" ${problem}`);
  }
  // OpenAI refuses fewer than 10 examples; other servers decide for themselves.
  const train = await readTrainingFile(flags.train, { minRows: target.scheme === 'openai' ? OPENAI_MIN_TRAINING_ROWS : 1 });
  const validation = flags.validation === undefined ? undefined : await readTrainingFile(flags.validation);
  const hyperparameters: Hyperparameters = { nEpochs: flags.epochs, batchSize: flags.batchSize, learningRateMultiplier: flags.lrMultiplier };
  const seeds = Array.from({ length: flags.seeds ?? 1 }, (_, i) => flags.seed + i);
  return seeds.map((seed) => ({ target, train, ...(validation ? { validation } : {}), hyperparameters, seed, ...(flags.suffix !== undefined ? { suffix: flags.suffix } : {}) }));
}

function statusText(state: JobState, step: { step?: number; totalSteps?: number; trainLoss?: number } | undefined, nowMs: number): string {
  const parts = [state.status];
  if (state.status === 'running' && step?.step !== undefined) parts.push(`step ${step.step}${step.totalSteps !== undefined ? `/${step.totalSteps}` : ''}${step.trainLoss !== undefined ? ` loss ${step.trainLoss.toFixed(3)}` : ''}`);
  if (state.trainedTokens !== null) parts.push(`${state.trainedTokens.toLocaleString('en-US')} tokens`);
  if (state.createdAt !== null) parts.push(formatDuration((state.finishedAt ?? nowMs / 1000) * 1000 - state.createdAt * 1000));
  return parts.join(' ');
}

function outcomeLine(o: FineTuneOutcome): string {
  const label = `[seed ${o.spec.seed}]`;
  const job = o.jobId ?? 'no job';
  const took = o.createdAt !== null && o.finishedAt !== null ? `, ${formatDuration((o.finishedAt - o.createdAt) * 1000)}` : '';
  const tokens = o.trainedTokens !== null ? `, ${o.trainedTokens.toLocaleString('en-US')} trained tokens` : '';
  const recorded = o.fromRecord ? ', as recorded' : '';
  if (o.model !== null) return `${label} succeeded: ${o.model} (${job}${tokens}${took}${recorded})`;
  const why = o.error ? `: ${o.error.code}: ${o.error.message}` : '';
  if (FAILED_STATUSES.has(o.status)) return `${label} ${o.status} (${job}${recorded})${why}; fix the cause and run again with --retry-failed to start a new job`;
  if (o.status === 'unreachable') return `${label} ${job}: lost contact with the server${why}; the job may still be running: run the same command again to attach to it`;
  if (o.status === 'succeeded') return `${label} ${job}${why}`;
  return `${label} ${job}: ${o.status}${recorded}, not finished yet`;
}

function writeOut(path: string, outcomes: FineTuneOutcome[]): Promise<void> {
  if (extname(path).toLowerCase() === '.json') {
    const records = outcomes.map((o) => ({
      model: o.model,
      baseModel: o.spec.target.baseModelId,
      seed: o.spec.seed,
      suffix: o.spec.suffix ?? null,
      jobId: o.jobId,
      attempt: o.attempt,
      status: o.status,
      error: o.error,
      trainedTokens: o.trainedTokens,
      train: { path: o.spec.train.path, sha256: o.spec.train.sha256, rows: o.spec.train.rows },
      validation: o.spec.validation ? { path: o.spec.validation.path, sha256: o.spec.validation.sha256, rows: o.spec.validation.rows } : null,
      hyperparameters: o.spec.hyperparameters,
    }));
    return writeFileAtomic(path, `${JSON.stringify(records, null, 2)}\n`);
  }
  const models = outcomes.flatMap((o) => (o.model !== null ? [o.model] : []));
  return writeFileAtomic(path, models.length === 0 ? '' : `${models.join('\n')}\n`);
}

export async function runFinetuneCommand(flags: FinetuneFlags): Promise<number> {
  const specs = await buildSpecs(flags);
  const first = specs[0]!;
  const status = new StatusLine();
  const log = (line: string): void => status.log(terminalSafe(line));
  const dbPath = resolve(flags.db);
  const seedText = specs.length === 1 ? `seed ${first.seed}` : `seeds ${first.seed}-${first.seed + specs.length - 1}`;
  const validationText = first.validation ? `, validation ${first.validation.path} (${first.validation.rows} rows)` : '';
  log(`emlab finetune: ${first.target.baseModelId} on ${first.train.path} (${first.train.rows} rows, sha256 ${first.train.sha256.slice(0, 12)})${validationText}; ${hyper(first.hyperparameters)}, ${seedText}${first.suffix ? `, suffix ${first.suffix}` : ''}; jobs recorded in ${dbPath}`);

  const api = new FineTuneApi(first.target, {
    timeoutMs: flags.timeout * 1000,
    onRetry: (what, info) => log(`${what}: ${oneLine(info.error)}; retrying in ${formatDuration(info.delayMs)} (attempt ${info.attempt + 1})`),
  });
  const store = FineTuneStore.open(dbPath);
  try {
    if (flags.cancel) {
      const outcomes = await cancelFineTunes({ store, api, specs });
      for (const o of outcomes) log(o.status === 'none' ? `[seed ${o.spec.seed}] no job recorded: nothing to cancel` : `[seed ${o.spec.seed}] ${o.jobId}: ${o.status}${o.fromRecord ? ' (already ended; nothing to cancel)' : ''}`);
      return EXIT.ok;
    }

    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    let interrupted = false;
    const onSignal = (): void => {
      if (interrupted) process.exit(EXIT.interrupted);
      interrupted = true;
      log('interrupted: no new job is started; jobs already created keep running at the server: run the same command again to attach to them, or with --cancel to stop them (Ctrl-C again quits at once)');
      stop.abort(new Error('interrupted'));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    const latest = new Map<number, string>();
    const steps = new Map<number, { step?: number; totalSteps?: number; trainLoss?: number }>();
    const redraw = (): void => status.set(`fine-tunes: ${specs.map((s) => `seed ${s.seed} ${latest.get(s.seed) ?? 'starting'}`).join(' | ')}`);
    const onEvent = (e: FineTuneEvent): void => {
      if (e.type === 'file') {
        const how = e.how === 'uploaded' ? 'uploaded as' : e.how === 'found' ? 'already at the server (an earlier upload) as' : 'uploaded before as';
        log(`${e.file.path}: ${how} ${e.fileId}`);
        return;
      }
      const label = `[seed ${e.spec.seed}]`;
      if (e.type === 'job') {
        const how = e.how === 'created' ? 'created job' : e.how === 'found' ? 'found this job already at the server (created by an earlier run):' : 'attached to recorded job';
        log(`${label} ${how} ${e.jobId}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}, status ${e.status}`);
      } else if (e.type === 'job_event') {
        const ev = e.event;
        if (ev.step !== undefined) steps.set(e.spec.seed, ev);
        // Metrics come once per training step: they feed the status line, not the log.
        if (ev.type !== 'metrics') log(`${label} ${ev.createdAt > 0 ? `${clock(ev.createdAt)} ` : ''}${ev.level !== 'info' ? `${ev.level}: ` : ''}${ev.message}`);
      } else if (e.type === 'poll') {
        if (e.state.status !== e.previous) log(`${label} ${e.jobId}: ${e.state.status}`);
        latest.set(e.spec.seed, statusText(e.state, steps.get(e.spec.seed), Date.now()));
        redraw();
      }
    };

    let outcomes: FineTuneOutcome[];
    try {
      outcomes = await runFineTunes({
        store,
        api,
        specs,
        wait: flags.wait,
        retryFailed: flags.retryFailed ?? false,
        poll: { minMs: Math.min(5_000, (flags.pollInterval * 1000) / 12), maxMs: flags.pollInterval * 1000 },
        signal: stop.signal,
        onEvent,
      });
    } catch (err) {
      status.clear();
      if (interrupted) return EXIT.interrupted;
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    status.clear();

    for (const o of outcomes) log(outcomeLine(o));
    if (flags.out) {
      await writeOut(resolve(flags.out), outcomes);
      log(`wrote ${flags.out}`);
    }
    const models = outcomes.flatMap((o) => (o.model !== null ? [o.model] : []));
    for (const m of models) process.stdout.write(`${m}\n`);
    if (models.length === outcomes.length && models.length > 0) {
      const group = models.length > 1 ? ` --group ${first.suffix ?? 'finetuned'}=${models.join(',')}` : '';
      log(`evaluate with: emlab eval ${models.map((m) => `--model ${m}`).join(' ')}${group}`);
    }
    if (outcomes.some((o) => FAILED_STATUSES.has(o.status) || (o.status === 'succeeded' && o.model === null))) return EXIT.error;
    if (outcomes.some((o) => o.status === 'unreachable')) return EXIT.incomplete;
    if (!flags.wait && models.length < outcomes.length) log('not waiting (--no-wait): run the same command again without --no-wait to wait for the model ids');
    return EXIT.ok;
  } finally {
    store.close();
  }
}
