/**
 * The fine-tuning endpoints through the official `openai` SDK (retries off; see retry.ts):
 * files.create (purpose fine-tune), fineTuning.jobs.create/retrieve/list/listEvents/cancel.
 * Works for `compat:` servers that implement the same endpoints.
 *
 * Creating is not idempotent at the API, so a create whose reply was lost (timeout, reset, 5xx)
 * is never simply sent again: first the server is asked whether the thing exists (a file by its
 * content-derived name and size, a job by the `emlab_key` metadata it was created with). Servers
 * without the list endpoints (404) simply find nothing.
 */
import OpenAI, { toFile } from 'openai';
import type { FineTuningJob, FineTuningJobEvent } from 'openai/resources/fine-tuning/jobs/jobs';
import type { FileObject } from 'openai/resources/files';
import { ProviderError } from '../providers/errors.js';
import { summarizeDetail, toProviderError } from '../providers/http-errors.js';
import { redact, redactDeep } from '../providers/redact.js';
import { systemClock, type Clock } from '../providers/scheduler.js';
import { DEFAULT_RETRY_POLICY, withRetries, type RetryInfo, type RetryPolicy } from './retry.js';
import type { FineTuneTarget } from './target.js';

export type JobStatus = FineTuningJob['status'];
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

/** What emlab reads of a job; the server's reply is checked field by field (servers are untrusted). */
export interface JobState {
  id: string;
  status: string;
  fineTunedModel: string | null;
  trainedTokens: number | null;
  error: { code: string; message: string; param: string | null } | null;
  /** Unix seconds. */
  createdAt: number | null;
  finishedAt: number | null;
  estimatedFinish: number | null;
  metadata: Record<string, string>;
}

export interface JobEvent {
  id: string;
  /** Unix seconds. */
  createdAt: number;
  level: string;
  message: string;
  type: string;
  /** From metrics events (`type: metrics`): the training step, of how many, and the loss. */
  step?: number;
  totalSteps?: number;
  trainLoss?: number;
}

export interface CreateJobParams {
  trainingFileId: string;
  validationFileId?: string;
  method: NonNullable<Parameters<OpenAI['fineTuning']['jobs']['create']>[0]['method']>;
  seed: number;
  suffix?: string;
  /** emlab's job key and attempt, sent as metadata so that a job whose creation reply was lost is found. */
  key: string;
  attempt: number;
}

export interface FineTuneApiOptions {
  /** Per-request time limit. Default 120 s (uploads of large files may need more). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  clock?: Partial<Clock>;
  /** Told before each retry, with what was being done. */
  onRetry?: (what: string, info: RetryInfo) => void;
  /** Injected for tests of transport faults; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** How far back a lost upload or job is looked for. */
const LOOKUP_LIMIT = 1_000;
const EVENT_PAGES = 10;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

export class FineTuneApi {
  readonly target: FineTuneTarget;
  private readonly options: FineTuneApiOptions;
  private readonly policy: RetryPolicy;
  private readonly clock: Clock;
  private client: OpenAI | undefined;
  private secret: string | undefined;

  constructor(target: FineTuneTarget, options: FineTuneApiOptions = {}) {
    this.target = target;
    this.options = options;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.clock = { ...systemClock, ...options.clock };
  }

  /** Built on first use, so that a missing key is reported by the first request that needs it. */
  private sdk(): OpenAI {
    if (this.client) return this.client;
    this.secret = this.target.apiKey();
    this.client = new OpenAI({
      apiKey: this.secret,
      baseURL: this.target.baseURL,
      organization: this.target.organization,
      project: this.target.project,
      maxRetries: 0,
      timeout: this.options.timeoutMs ?? 120_000,
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
    });
    return this.client;
  }

  /** Checks the key is there before any work is done (throws ProviderError('auth') naming the variable). */
  checkKey(): void {
    this.sdk();
  }

  /** A one-line ProviderError, with the key redacted; `unknown` names what a 404 means for this call. */
  private classify(err: unknown, unknown?: string): ProviderError {
    if (unknown !== undefined && err instanceof OpenAI.APIError && err.status === 404) {
      return new ProviderError('not_found', redact(`${this.target.baseModelId}: ${unknown} is unknown to ${this.target.baseURL} (404: ${summarizeDetail(err.message.replace(/^404\s+/, ''), this.secret)})`, this.secret), { status: 404 });
    }
    return toProviderError(err, { providerId: this.target.baseModelId, model: this.target.model, baseURL: this.target.baseURL, keyVariable: this.target.keyVariable, secret: this.secret }, OpenAI);
  }

  private async call<T>(what: string, fn: (sdk: OpenAI) => Promise<T>, opts: { unknown?: string; signal?: AbortSignal } = {}): Promise<T> {
    return withRetries(
      async () => {
        try {
          return await fn(this.sdk());
        } catch (err) {
          throw this.classify(err, opts.unknown);
        }
      },
      { policy: this.policy, clock: this.clock, ...(opts.signal ? { signal: opts.signal } : {}), onRetry: (info) => this.options.onRetry?.(what, info) },
    );
  }

  /**
   * Uploads `bytes` as `filename` (purpose fine-tune) and returns the file's id. After an
   * ambiguous failure the upload is looked for by name and size before it is sent again.
   */
  async uploadFile(bytes: Buffer, filename: string, signal?: AbortSignal): Promise<string> {
    let mayExist = false;
    return this.call(`upload of ${filename}`, async (sdk) => {
      if (mayExist) {
        const found = await this.findUploadedFileWith(sdk, filename, bytes.length, signal);
        if (found) return found;
      }
      try {
        const file = await sdk.files.create({ file: await toFile(bytes, filename, { type: 'application/jsonl' }), purpose: 'fine-tune' }, signal ? { signal } : {});
        const id = str(field(file, 'id'));
        if (id === null || id === '') throw new ProviderError('bad_response', `${this.target.baseModelId}: the upload of ${filename} was answered without a file id`);
        return id;
      } catch (err) {
        // A 429 was refused before anything was stored; anything else may have stored the file.
        mayExist = !(err instanceof OpenAI.RateLimitError);
        throw err;
      }
    }, signal ? { signal } : {});
  }

  /** The id of an uploaded fine-tune file with this name and size, among the most recent ones. */
  async findUploadedFile(filename: string, bytes: number, signal?: AbortSignal): Promise<string | undefined> {
    return this.call(`lookup of ${filename}`, (sdk) => this.findUploadedFileWith(sdk, filename, bytes, signal), signal ? { signal } : {});
  }

  private async findUploadedFileWith(sdk: OpenAI, filename: string, bytes: number, signal?: AbortSignal): Promise<string | undefined> {
    let seen = 0;
    try {
      for await (const file of sdk.files.list({ purpose: 'fine-tune', order: 'desc', limit: 100 }, signal ? { signal } : {})) {
        const f = file as Partial<FileObject>;
        if (f.filename === filename && f.bytes === bytes && typeof f.id === 'string' && f.status !== 'error') return f.id;
        if (++seen >= LOOKUP_LIMIT) break;
      }
    } catch (err) {
      if (!(err instanceof OpenAI.NotFoundError)) throw err;
    }
    return undefined;
  }

  /**
   * Waits until the server has processed an uploaded file (a job on an unprocessed file is
   * refused). Servers that report no status are taken as ready. Throws when processing failed.
   */
  async waitForFile(fileId: string, pollMs: { minMs: number; maxMs: number }, signal?: AbortSignal): Promise<void> {
    let wait = pollMs.minMs;
    for (;;) {
      const file = await this.call(`status of file ${fileId}`, (sdk) => sdk.files.retrieve(fileId), { unknown: `file ${fileId}`, ...(signal ? { signal } : {}) });
      const status = str(field(file, 'status'));
      if (status === 'error') {
        const details = str(field(file, 'status_details')) ?? 'no details given';
        throw new ProviderError('client', redact(`${this.target.baseModelId}: the server could not process file ${fileId}: ${summarizeDetail(details, this.secret)}`, this.secret));
      }
      if (status !== 'uploaded' && status !== 'pending') return;
      await this.clock.sleep(wait, signal);
      wait = Math.min(pollMs.maxMs, wait * 2);
    }
  }

  /**
   * Creates the job. After an ambiguous failure, the job is looked for by its metadata before
   * it is created again, so that one lost reply never makes two paid jobs.
   */
  async createJob(params: CreateJobParams, signal?: AbortSignal): Promise<JobState> {
    let mayExist = false;
    return this.call('job creation', async (sdk) => {
      if (mayExist) {
        const found = await this.findJobWith(sdk, params.key, params.attempt, signal);
        if (found) return found;
      }
      // After Ctrl-C no new job is created (one whose request went out is found by the next run).
      if (signal?.aborted) throw signal.reason;
      try {
        const job = await sdk.fineTuning.jobs.create({
          model: this.target.model,
          training_file: params.trainingFileId,
          ...(params.validationFileId ? { validation_file: params.validationFileId } : {}),
          method: params.method,
          seed: params.seed,
          ...(params.suffix ? { suffix: params.suffix } : {}),
          metadata: { emlab_key: params.key, emlab_attempt: String(params.attempt) },
        }, signal ? { signal } : {});
        return this.readJob(job);
      } catch (err) {
        // Even a malformed reply may stand for a created job; only a 429 surely created nothing.
        mayExist = !(err instanceof OpenAI.RateLimitError);
        throw err;
      }
    }, signal ? { signal } : {});
  }

  /** The job created with this emlab key and attempt, if the server has one. */
  async findJob(key: string, attempt: number, signal?: AbortSignal): Promise<JobState | undefined> {
    return this.call('job lookup', (sdk) => this.findJobWith(sdk, key, attempt, signal), signal ? { signal } : {});
  }

  private async findJobWith(sdk: OpenAI, key: string, attempt: number, signal?: AbortSignal): Promise<JobState | undefined> {
    let seen = 0;
    try {
      // The metadata filter narrows the listing where the server supports it; the match is
      // checked here too, for servers that ignore it.
      for await (const job of sdk.fineTuning.jobs.list({ metadata: { emlab_key: key }, limit: 100 }, signal ? { signal } : {})) {
        const metadata = field(job, 'metadata');
        if (field(metadata, 'emlab_key') === key && field(metadata, 'emlab_attempt') === String(attempt)) return this.readJob(job);
        if (++seen >= LOOKUP_LIMIT) break;
      }
    } catch (err) {
      if (!(err instanceof OpenAI.NotFoundError)) throw err;
    }
    return undefined;
  }

  async retrieveJob(jobId: string, signal?: AbortSignal): Promise<JobState> {
    return this.call(`status of ${jobId}`, async (sdk) => this.readJob(await sdk.fineTuning.jobs.retrieve(jobId, signal ? { signal } : {})), {
      unknown: `job ${jobId}`,
      ...(signal ? { signal } : {}),
    });
  }

  async cancelJob(jobId: string): Promise<JobState> {
    return this.call(`cancel of ${jobId}`, async (sdk) => this.readJob(await sdk.fineTuning.jobs.cancel(jobId)), { unknown: `job ${jobId}` });
  }

  /**
   * Events newer than `afterEventId`, oldest first. The API lists events newest first, so pages
   * are read until the last event already seen (at most a few pages; with no event seen yet, only
   * the newest page: a job that ran for hours has thousands of step events).
   */
  async newEvents(jobId: string, afterEventId: string | null, signal?: AbortSignal): Promise<JobEvent[]> {
    return this.call(
      `events of ${jobId}`,
      async (sdk) => {
        const fresh: JobEvent[] = [];
        let page = await sdk.fineTuning.jobs.listEvents(jobId, { limit: 100 }, signal ? { signal } : {});
        for (let pages = 1; ; pages++) {
          for (const raw of page.getPaginatedItems()) {
            const event = readEvent(redactDeep(raw, this.secret));
            if (event === undefined) continue;
            if (event.id === afterEventId) return fresh.reverse();
            fresh.push(event);
          }
          if (afterEventId === null || pages >= EVENT_PAGES || !page.hasNextPage()) return fresh.reverse();
          page = await page.getNextPage();
        }
      },
      { unknown: `job ${jobId}`, ...(signal ? { signal } : {}) },
    );
  }

  private readJob(reply: unknown): JobState {
    // Every text of the reply goes to the terminal or the database: the key comes out first.
    const raw = redactDeep(reply, this.secret);
    const id = str(field(raw, 'id'));
    const status = str(field(raw, 'status'));
    if (id === null || id === '' || status === null) {
      throw new ProviderError('bad_response', `${this.target.baseModelId}: malformed fine-tuning job reply (${id === null || id === '' ? 'no id' : 'no status'})`);
    }
    const err = field(raw, 'error');
    const message = str(field(err, 'message'));
    const metadata: Record<string, string> = {};
    const rawMetadata = field(raw, 'metadata');
    if (typeof rawMetadata === 'object' && rawMetadata !== null) {
      for (const [k, v] of Object.entries(rawMetadata)) if (typeof v === 'string') metadata[k] = v;
    }
    const fineTunedModel = str(field(raw, 'fine_tuned_model')) || null;
    // The name becomes a model id printed on stdout and pasted into commands: no spaces, no
    // control characters, no bidi overrides that would make it read differently from what it is.
    if (fineTunedModel !== null && (fineTunedModel.length > 256 || /[\s\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(fineTunedModel))) {
      throw new ProviderError('client', `${this.target.baseModelId}: job ${id} names its model ${JSON.stringify(fineTunedModel.slice(0, 80))}, which is not a usable model name (spaces, control characters or over 256 characters)`);
    }
    return {
      id,
      status,
      fineTunedModel,
      trainedTokens: num(field(raw, 'trained_tokens')),
      error: message === null || message === '' ? null : { code: str(field(err, 'code')) ?? 'error', message, param: str(field(err, 'param')) },
      createdAt: num(field(raw, 'created_at')),
      finishedAt: num(field(raw, 'finished_at')),
      estimatedFinish: num(field(raw, 'estimated_finish')),
      metadata,
    };
  }
}

function readEvent(raw: FineTuningJobEvent | unknown): JobEvent | undefined {
  const id = str(field(raw, 'id'));
  if (id === null) return undefined;
  const event: JobEvent = {
    id,
    createdAt: num(field(raw, 'created_at')) ?? 0,
    level: str(field(raw, 'level')) ?? 'info',
    message: str(field(raw, 'message')) ?? '',
    type: str(field(raw, 'type')) ?? 'message',
  };
  const data = field(raw, 'data');
  const step = num(field(data, 'step'));
  const totalSteps = num(field(data, 'total_steps'));
  const trainLoss = num(field(data, 'train_loss'));
  if (step !== null) event.step = step;
  if (totalSteps !== null) event.totalSteps = totalSteps;
  if (trainLoss !== null) event.trainLoss = trainLoss;
  return event;
}
