/**
 * Runs fine-tuning jobs to the end, resumably: for each spec, a finished job recorded in the
 * database is answered at once; an unfinished one is attached to; a new one has its files
 * uploaded (once per content) and is created; then jobs are polled with backoff until they
 * succeed, fail or are cancelled, their events passed on as they come.
 *
 * Every step is committed before the next request, so a process killed anywhere is resumed by
 * running it again: it never uploads a recorded file again and never creates a second job for a
 * spec. Before anything is uploaded or created, the server is asked for it too (a file by its
 * content-derived name, a job by its `emlab_key` metadata), so that an upload or creation whose
 * reply was cut off, or a database that was deleted, does not cost a second upload or job.
 * A failed, cancelled or lost job is reported from its record, and created anew only when
 * `retryFailed` is set.
 */
import { ProviderError } from '../providers/errors.js';
import { systemClock, type Clock } from '../providers/scheduler.js';
import { FineTuneStore, thisProcess, type JobError, type JobRecord, type Owner } from './job-store.js';
import { TERMINAL_STATUSES, type FineTuneApi, type JobEvent, type JobState } from './openai-jobs.js';
import { fileKey, jobKey, specIdentity, supervisedMethod, uploadFilename, type FineTuneSpec } from './spec.js';
import { resultModelId } from './target.js';
import type { TrainingFile } from './training-file.js';

export interface PollTiming {
  /** The wait after a change (new status, new events); it grows by half after each quiet poll... */
  minMs: number;
  /** ...up to this. */
  maxMs: number;
}

/** Jobs take minutes to hours; a poll every 5-60 s costs nothing and shows progress soon enough. */
export const DEFAULT_POLL: PollTiming = { minMs: 5_000, maxMs: 60_000 };

/** Statuses after which a job is not re-created unless asked (`retryFailed`). */
export const FAILED_STATUSES: ReadonlySet<string> = new Set(['failed', 'cancelled', 'lost']);

export type FineTuneEvent =
  | { type: 'file'; file: TrainingFile; fileId: string; how: 'uploaded' | 'found' | 'recorded' }
  | { type: 'job'; spec: FineTuneSpec; jobId: string; how: 'created' | 'found' | 'recorded'; attempt: number; status: string }
  /** After every poll; `previous` is the status before it. */
  | { type: 'poll'; spec: FineTuneSpec; jobId: string; state: JobState; previous: string }
  | { type: 'job_event'; spec: FineTuneSpec; jobId: string; event: JobEvent };

export interface FineTuneOutcome {
  spec: FineTuneSpec;
  key: string;
  attempt: number;
  jobId: string | null;
  /**
   * The server's status (validating_files, queued, running, succeeded, failed, cancelled), or
   * 'lost' (the server does not know the recorded job), or 'unreachable' (polling failed after
   * every retry; the job may still be running).
   */
  status: string;
  /** The emlab id of the fine-tuned model, once it succeeded. */
  model: string | null;
  error: JobError | null;
  trainedTokens: number | null;
  /** Unix seconds, as the server reported them. */
  createdAt: number | null;
  finishedAt: number | null;
  /** True when the answer came from the database alone, without asking the server. */
  fromRecord: boolean;
}

export interface RunFineTunesOptions {
  store: FineTuneStore;
  api: FineTuneApi;
  specs: FineTuneSpec[];
  /** Poll until every job ends (default); false: create or attach, read each status once, return. */
  wait?: boolean;
  /** Create a new job for a spec whose recorded job failed, was cancelled or was lost. */
  retryFailed?: boolean;
  poll?: PollTiming;
  clock?: Partial<Clock>;
  signal?: AbortSignal;
  onEvent?: (event: FineTuneEvent) => void;
  owner?: Owner;
  /** How often leases are renewed (default 10 s; a lease is stale after 30 s). */
  heartbeatMs?: number;
}

const isFailed = (status: string): boolean => FAILED_STATUSES.has(status);

function fromRecord(spec: FineTuneSpec, rec: JobRecord): FineTuneOutcome {
  return {
    spec,
    key: rec.key,
    attempt: rec.attempt,
    jobId: rec.jobId,
    status: rec.status,
    model: rec.status === 'succeeded' && rec.fineTunedModel ? resultModelId(spec.target, rec.fineTunedModel) : null,
    error: rec.error,
    trainedTokens: rec.trainedTokens,
    createdAt: null,
    finishedAt: null,
    fromRecord: true,
  };
}

export async function runFineTunes(options: RunFineTunesOptions): Promise<FineTuneOutcome[]> {
  const { store, api, specs } = options;
  const me = options.owner ?? thisProcess();
  const clock: Clock = { ...systemClock, ...options.clock };
  const poll = options.poll ?? DEFAULT_POLL;
  const signal = options.signal;
  const emit = (event: FineTuneEvent): void => options.onEvent?.(event);
  const heartbeat = setInterval(() => store.renew(me), options.heartbeatMs ?? 10_000);
  heartbeat.unref();

  async function ensureFile(file: TrainingFile): Promise<string> {
    const key = fileKey(api.target, file);
    const filename = uploadFilename(file);
    const rec = store.claimFile(key, { endpoint: api.target.baseURL, sha256: file.sha256, bytes: file.bytes.length, filename }, me);
    if (rec.fileId !== null) {
      emit({ type: 'file', file, fileId: rec.fileId, how: 'recorded' });
      return rec.fileId;
    }
    const found = await api.findUploadedFile(filename, file.bytes.length, signal);
    const fileId = found ?? (await api.uploadFile(file.bytes, filename, signal));
    store.setFileId(key, fileId);
    emit({ type: 'file', file, fileId, how: found ? 'found' : 'uploaded' });
    await api.waitForFile(fileId, poll, signal);
    return fileId;
  }

  /** Creates the job of a record in state 'creating', unless the server has it already. */
  async function createJob(spec: FineTuneSpec, rec: JobRecord): Promise<JobState> {
    const found = await api.findJob(rec.key, rec.attempt, signal);
    if (found) {
      store.setJobCreated(rec.key, found.id, found.status);
      emit({ type: 'job', spec, jobId: found.id, how: 'found', attempt: rec.attempt, status: found.status });
      return found;
    }
    const trainingFileId = await ensureFile(spec.train);
    const validationFileId = spec.validation ? await ensureFile(spec.validation) : undefined;
    const job = await api.createJob({
      trainingFileId,
      ...(validationFileId ? { validationFileId } : {}),
      method: supervisedMethod(spec.hyperparameters),
      seed: spec.seed,
      ...(spec.suffix ? { suffix: spec.suffix } : {}),
      key: rec.key,
      attempt: rec.attempt,
    }, signal);
    store.setJobCreated(rec.key, job.id, job.status);
    emit({ type: 'job', spec, jobId: job.id, how: 'created', attempt: rec.attempt, status: job.status });
    return job;
  }

  function outcomeOf(spec: FineTuneSpec, rec: JobRecord, state: JobState): FineTuneOutcome {
    let error: JobError | null = state.error;
    if (state.status === 'succeeded' && !state.fineTunedModel) error = { code: 'no_model', message: `job ${state.id} succeeded but the server named no fine_tuned_model` };
    if (state.status === 'cancelled' && !error) error = { code: 'cancelled', message: `job ${state.id} was cancelled` };
    return {
      spec,
      key: rec.key,
      attempt: rec.attempt,
      jobId: state.id,
      status: state.status,
      model: state.status === 'succeeded' && state.fineTunedModel ? resultModelId(spec.target, state.fineTunedModel) : null,
      error,
      trainedTokens: state.trainedTokens,
      createdAt: state.createdAt,
      finishedAt: state.finishedAt,
      fromRecord: false,
    };
  }

  /** Polls one job until it ends (or once), recording every change. */
  async function follow(spec: FineTuneSpec, rec: JobRecord, jobId: string, once: boolean): Promise<FineTuneOutcome> {
    let previous = rec.status;
    let lastEventId = rec.lastEventId;
    let eventsAvailable = true;
    let interval = poll.minMs;
    const gone = (status: 'lost' | 'unreachable', err: ProviderError): FineTuneOutcome => {
      const error = { code: status === 'lost' ? 'job_not_found' : err.kind, message: err.message };
      // A job the server cannot be reached for is still what it was; a job it does not know is lost.
      if (status === 'lost') store.updateJob(rec.key, { status, error });
      return { ...fromRecord(spec, { ...rec, jobId }), status, error, fromRecord: false };
    };
    for (;;) {
      let state: JobState;
      let events: JobEvent[] = [];
      try {
        state = await api.retrieveJob(jobId, signal);
        if (eventsAvailable) {
          try {
            events = await api.newEvents(jobId, lastEventId, signal);
          } catch (err) {
            // Events are progress only; a server without the endpoint still runs the job.
            if (!(err instanceof ProviderError && err.kind === 'not_found')) throw err;
            eventsAvailable = false;
          }
        }
      } catch (err) {
        if (err instanceof ProviderError && err.kind === 'not_found') return gone('lost', err);
        if (err instanceof ProviderError && err.retryable) return gone('unreachable', err);
        throw err;
      }
      for (const event of events) emit({ type: 'job_event', spec, jobId, event });
      if (events.length > 0) lastEventId = events[events.length - 1]!.id;
      store.updateJob(rec.key, { status: state.status, fineTunedModel: state.fineTunedModel, trainedTokens: state.trainedTokens, error: state.error, lastEventId });
      emit({ type: 'poll', spec, jobId, state, previous });
      const changed = state.status !== previous || events.length > 0;
      previous = state.status;
      if (TERMINAL_STATUSES.has(state.status) || once) return outcomeOf(spec, rec, state);
      interval = changed ? poll.minMs : Math.min(poll.maxMs, Math.round(interval * 1.5));
      await clock.sleep(interval, signal);
    }
  }

  try {
    const outcomes: Array<FineTuneOutcome | undefined> = specs.map(() => undefined);
    const following: Array<{ index: number; rec: JobRecord; jobId: string }> = [];
    for (const [index, spec] of specs.entries()) {
      if (signal?.aborted) throw signal.reason;
      const key = jobKey(spec);
      const recorded = store.getJob(key);
      if (recorded && recorded.status === 'succeeded' && recorded.fineTunedModel) {
        outcomes[index] = fromRecord(spec, recorded);
        continue;
      }
      if (recorded && isFailed(recorded.status) && !options.retryFailed) {
        outcomes[index] = fromRecord(spec, recorded);
        continue;
      }
      let rec = store.claimJob(key, specIdentity(spec), `the fine-tune of ${spec.target.baseModelId} with seed ${spec.seed}`, me);
      if (isFailed(rec.status)) rec = store.startNewAttempt(key);
      let jobId = rec.jobId;
      if (jobId === null) {
        const job = await createJob(spec, rec);
        jobId = job.id;
        rec = store.getJob(key)!;
      } else {
        emit({ type: 'job', spec, jobId, how: 'recorded', attempt: rec.attempt, status: rec.status });
      }
      following.push({ index, rec, jobId });
    }
    const once = options.wait === false;
    const settled = await Promise.allSettled(following.map(({ index, rec, jobId }) => follow(specs[index]!, rec, jobId, once)));
    for (const [i, result] of settled.entries()) {
      if (result.status === 'rejected') throw result.reason;
      outcomes[following[i]!.index] = result.value;
    }
    return outcomes.map((o) => o!);
  } finally {
    clearInterval(heartbeat);
    store.release(me);
  }
}

/**
 * Cancels the recorded, unfinished jobs of these specs. A spec with no job comes back with status
 * 'none'; one whose job has ended comes back as recorded.
 */
export async function cancelFineTunes(options: { store: FineTuneStore; api: FineTuneApi; specs: FineTuneSpec[] }): Promise<FineTuneOutcome[]> {
  const out: FineTuneOutcome[] = [];
  for (const spec of options.specs) {
    const rec = options.store.getJob(jobKey(spec));
    if (!rec || rec.jobId === null) {
      out.push({ spec, key: jobKey(spec), attempt: rec?.attempt ?? 0, jobId: null, status: 'none', model: null, error: null, trainedTokens: null, createdAt: null, finishedAt: null, fromRecord: true });
      continue;
    }
    if (TERMINAL_STATUSES.has(rec.status) || isFailed(rec.status)) {
      out.push(fromRecord(spec, rec));
      continue;
    }
    const state = await options.api.cancelJob(rec.jobId);
    options.store.updateJob(rec.key, { status: state.status, error: state.error });
    out.push({ ...fromRecord(spec, { ...rec, status: state.status, error: state.error }), fromRecord: false });
  }
  return out;
}
