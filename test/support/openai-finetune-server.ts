/**
 * A fake of OpenAI's files and fine-tuning endpoints for tests: real HTTP on 127.0.0.1, spoken to
 * by the real `openai` SDK (point `baseURL` / OPENAI_BASE_URL at `server.baseURL`).
 *
 *   POST /v1/files (multipart: file, purpose)        GET /v1/files (?purpose, order, limit, after)
 *   GET  /v1/files/{id}                              POST /v1/fine_tuning/jobs (JSON)
 *   GET  /v1/fine_tuning/jobs (?metadata[k]=v, limit, after)
 *   GET  /v1/fine_tuning/jobs/{id}                   GET /v1/fine_tuning/jobs/{id}/events (?limit, after)
 *   POST /v1/fine_tuning/jobs/{id}/cancel
 *
 * A job moves on one stage per GET of the job (not by time, so tests are deterministic):
 * validating_files, queued, one training step per poll while running, then succeeded (or failed,
 * as its script says). Events are listed newest first with cursor pages, as the API does.
 * `fault` can answer any request with an error, a dropped connection, or the real work done and
 * the reply lost (to test that a create is never blindly repeated).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FineTuneRequest {
  method: string;
  /** Path without the query, e.g. `/v1/fine_tuning/jobs/ftjob-1`. */
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body, the fields of a multipart upload, or undefined. */
  body: unknown;
  /** Whether credentials came (their value is never kept). */
  hadAuth: boolean;
  /** Every header except authorization. */
  headers: Record<string, string>;
}

export interface UploadedFile {
  id: string;
  filename: string;
  purpose: string;
  bytes: number;
  sha256: string;
  text: string;
  contentType: string;
}

export interface JobScript {
  /** Polls that see validating_files, then queued. Default 1 each. */
  validatingPolls?: number;
  queuedPolls?: number;
  /** Training steps, one per poll while running. Default 3. */
  steps?: number;
  /** The job fails when it reaches this step (0: while validating its files). */
  fail?: { atStep: number; code: string; message: string; param?: string | null };
  /** Succeeds without naming a model (a broken server). */
  noModel?: boolean;
  /** Succeeds naming this model instead of an ft:... name (a hostile server). */
  modelName?: string;
}

export interface FakeJob {
  id: string;
  body: Record<string, unknown>;
  status: string;
  step: number;
  polls: number;
  script: Required<Omit<JobScript, 'fail' | 'modelName'>> & Pick<JobScript, 'fail' | 'modelName'>;
  events: Array<{ id: string; created_at: number; level: string; message: string; type: string; data?: unknown }>;
  fineTunedModel: string | null;
  error: { code: string; message: string; param: string | null } | null;
  createdAt: number;
  finishedAt: number | null;
}

export type FineTuneFault =
  | { fault: 'error'; status: number; message?: string; headers?: Record<string, string> }
  /** The connection is destroyed before anything is done. */
  | { fault: 'reset' }
  /** The request is carried out, then the connection is destroyed: the client never learns the result. */
  | { fault: 'drop_reply' }
  /** The request is carried out after `ms` (a slow upload): the client waits for the reply meanwhile. */
  | { fault: 'delay'; ms: number };

export interface FineTuneServerOptions {
  /** Requests must carry this bearer key; others get a 401 quoting the key sent (as careless servers do). */
  apiKey?: string;
  /** Base models that can be fine-tuned; others are refused with 400. Default: any. */
  models?: string[];
  /** The script of the i-th job created (0-based). Default: succeed after 3 steps. */
  script?: (body: Record<string, unknown>, index: number) => JobScript;
  /** Called for each request before it is handled; a fault returned is what the client gets. */
  fault?: (request: FineTuneRequest, index: number) => FineTuneFault | undefined;
  /** When false, GET /v1/fine_tuning/jobs ignores metadata filters (as some servers do). Default true. */
  filterMetadata?: boolean;
  /** When false, events return 404 (a server without the endpoint). Default true. */
  events?: boolean;
  /** When false, GET /v1/files and GET /v1/fine_tuning/jobs return 404 (a server without listings). Default true. */
  lists?: boolean;
}

export interface FakeFineTuneServer {
  /** `http://127.0.0.1:<port>/v1` */
  readonly baseURL: string;
  readonly requests: FineTuneRequest[];
  readonly files: Map<string, UploadedFile>;
  readonly jobs: Map<string, FakeJob>;
  /** Requests to `method path`; a path ending in `*` matches its prefix. */
  count(method: string, path: string): number;
  close(): Promise<void>;
}

const CREATED_AT = 1_750_000_000;

function errorBody(message: string, type: string, code: string | null, param: string | null = null): unknown {
  return { error: { message, type, param, code } };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function page<T extends { id: string }>(items: T[], query: URLSearchParams): { object: 'list'; data: T[]; has_more: boolean } {
  const limit = Math.max(1, Math.min(100, Number(query.get('limit') ?? 20)));
  const after = query.get('after');
  const start = after === null ? 0 : items.findIndex((i) => i.id === after) + 1;
  const data = items.slice(start, start + limit);
  return { object: 'list', data, has_more: start + limit < items.length };
}

function jobJson(job: FakeJob): unknown {
  const method = job.body['method'] as { supervised?: { hyperparameters?: Record<string, unknown> } } | undefined;
  const h = method?.supervised?.hyperparameters ?? {};
  return {
    object: 'fine_tuning.job',
    id: job.id,
    model: job.body['model'],
    created_at: job.createdAt,
    finished_at: job.finishedAt,
    fine_tuned_model: job.fineTunedModel,
    organization_id: 'org-emlabtest',
    result_files: job.status === 'succeeded' ? [`file-result-${job.id}`] : [],
    status: job.status,
    validation_file: job.body['validation_file'] ?? null,
    training_file: job.body['training_file'],
    hyperparameters: { n_epochs: h['n_epochs'] ?? 'auto', batch_size: h['batch_size'] ?? 'auto', learning_rate_multiplier: h['learning_rate_multiplier'] ?? 'auto' },
    trained_tokens: job.status === 'succeeded' ? job.step * 1000 : null,
    error: job.error,
    seed: job.body['seed'] ?? 0,
    estimated_finish: job.status === 'running' ? job.createdAt + 600 : null,
    integrations: [],
    metadata: job.body['metadata'] ?? null,
    method: job.body['method'] ?? { type: 'supervised' },
    user_provided_suffix: job.body['suffix'] ?? null,
  };
}

/** Moves a job one stage on, adding the events of what happened. */
function advance(job: FakeJob): void {
  if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return;
  job.polls++;
  const event = (message: string, type = 'message', data?: unknown, level = 'info'): void => {
    job.events.unshift({ id: `ftevent-${job.id.slice(6)}-${job.events.length + 1}`, created_at: CREATED_AT + job.events.length, level, message, type, ...(data ? { data } : {}) });
  };
  const fail = (): boolean => {
    const f = job.script.fail;
    if (!f || f.atStep !== job.step) return false;
    job.status = 'failed';
    job.error = { code: f.code, message: f.message, param: f.param ?? null };
    job.finishedAt = CREATED_AT + job.polls;
    event(`Job failed: ${f.message}`, 'message', undefined, 'error');
    return true;
  };
  const s = job.script;
  if (job.status === 'validating_files') {
    if (fail()) return;
    if (job.polls >= s.validatingPolls) {
      job.status = 'queued';
      event('Training file checked; the job waits in the queue');
    }
  } else if (job.status === 'queued') {
    if (job.polls >= s.validatingPolls + s.queuedPolls) {
      job.status = 'running';
      event('Training started');
    }
  } else if (job.status === 'running') {
    job.step++;
    const loss = Math.round(2000 / (job.step + 1)) / 1000;
    event(`Step ${job.step}/${s.steps}: training loss=${loss}`, 'metrics', { step: job.step, total_steps: s.steps, train_loss: loss });
    if (fail()) return;
    if (job.step >= s.steps) {
      job.status = 'succeeded';
      job.finishedAt = CREATED_AT + job.polls;
      const suffix = typeof job.body['suffix'] === 'string' ? job.body['suffix'] : '';
      job.fineTunedModel = s.noModel ? null : s.modelName !== undefined ? s.modelName : `ft:${String(job.body['model'])}:emlab-test:${suffix}:${job.id.slice(-8)}`;
      event(`Model ready: ${job.fineTunedModel}`);
      event('The job has finished');
    }
  }
}

export async function startFineTuneServer(options: FineTuneServerOptions = {}): Promise<FakeFineTuneServer> {
  const requests: FineTuneRequest[] = [];
  const files = new Map<string, UploadedFile>();
  const jobs = new Map<string, FakeJob>();
  let fileCount = 0;
  let jobCount = 0;

  async function parse(req: IncomingMessage, raw: Buffer): Promise<unknown> {
    const type = req.headers['content-type'] ?? '';
    if (raw.length === 0) return undefined;
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData();
      const out: Record<string, unknown> = {};
      for (const [name, value] of form.entries()) {
        if (typeof value === 'string') out[name] = value;
        else {
          const bytes = Buffer.from(await value.arrayBuffer());
          out[name] = { filename: value.name, contentType: value.type, bytes };
        }
      }
      return out;
    }
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      return raw.toString('utf8');
    }
  }

  function handle(r: FineTuneRequest, credential: string | undefined, res: ServerResponse): void {
    if (options.apiKey !== undefined && credential !== options.apiKey) {
      return json(res, 401, errorBody(`Incorrect API key provided: ${credential ?? '(none)'}. You can find your API key in your account settings.`, 'invalid_request_error', 'invalid_api_key'));
    }
    const notFound = (what: string): void => json(res, 404, errorBody(`No such ${what}`, 'invalid_request_error', null));
    const { method, path, query } = r;
    if (options.lists === false && method === 'GET' && (path === '/v1/files' || path === '/v1/fine_tuning/jobs')) return notFound('route');
    if (method === 'POST' && path === '/v1/files') {
      const body = r.body as Record<string, unknown> | undefined;
      const file = body?.['file'] as { filename: string; contentType: string; bytes: Buffer } | undefined;
      if (!file || typeof body?.['purpose'] !== 'string') return json(res, 400, errorBody("'file' and 'purpose' are required", 'invalid_request_error', null));
      const id = `file-${String(++fileCount).padStart(6, '0')}`;
      const uploaded: UploadedFile = {
        id,
        filename: file.filename,
        purpose: body['purpose'],
        bytes: file.bytes.length,
        sha256: createHash('sha256').update(file.bytes).digest('hex'),
        text: file.bytes.toString('utf8'),
        contentType: file.contentType,
      };
      files.set(id, uploaded);
      return json(res, 200, fileJson(uploaded));
    }
    if (method === 'GET' && path === '/v1/files') {
      const purpose = query.get('purpose');
      let list = [...files.values()].filter((f) => purpose === null || f.purpose === purpose);
      if (query.get('order') !== 'asc') list = list.reverse();
      return json(res, 200, page(list.map(fileJson), query));
    }
    const fileMatch = /^\/v1\/files\/([^/]+)$/.exec(path);
    if (method === 'GET' && fileMatch) {
      const f = files.get(decodeURIComponent(fileMatch[1]!));
      return f ? json(res, 200, fileJson(f)) : notFound('file');
    }
    if (method === 'POST' && path === '/v1/fine_tuning/jobs') {
      const body = r.body as Record<string, unknown>;
      const model = body['model'];
      if (typeof model !== 'string' || (options.models && !options.models.includes(model))) {
        return json(res, 400, errorBody(`Model ${String(model)} is not available for fine-tuning or does not exist.`, 'invalid_request_error', 'model_not_available', 'model'));
      }
      const training = files.get(String(body['training_file']));
      if (!training || training.purpose !== 'fine-tune') {
        return json(res, 400, errorBody(`invalid training_file: ${String(body['training_file'])}`, 'invalid_request_error', null, 'training_file'));
      }
      const index = jobCount++;
      const id = `ftjob-${createHash('sha256').update(`job${index}`).digest('hex').slice(0, 24)}`;
      const script = options.script?.(body, index) ?? {};
      const job: FakeJob = {
        id,
        body,
        status: 'validating_files',
        step: 0,
        polls: 0,
        script: {
          validatingPolls: script.validatingPolls ?? 1,
          queuedPolls: script.queuedPolls ?? 1,
          steps: script.steps ?? 3,
          noModel: script.noModel ?? false,
          ...(script.fail ? { fail: script.fail } : {}),
          ...(script.modelName !== undefined ? { modelName: script.modelName } : {}),
        },
        events: [],
        fineTunedModel: null,
        error: null,
        createdAt: CREATED_AT + index,
        finishedAt: null,
      };
      job.events.unshift({ id: `ftevent-${id.slice(6)}-1`, created_at: CREATED_AT, level: 'info', message: `Job ${id} created`, type: 'message' });
      jobs.set(id, job);
      return json(res, 200, jobJson(job));
    }
    if (method === 'GET' && path === '/v1/fine_tuning/jobs') {
      let list = [...jobs.values()].reverse();
      if (options.filterMetadata !== false) {
        for (const [k, v] of query.entries()) {
          const m = /^metadata\[(.+)\]$/.exec(k);
          if (m) list = list.filter((j) => (j.body['metadata'] as Record<string, unknown> | undefined)?.[m[1]!] === v);
        }
      }
      return json(res, 200, page(list.map((j) => ({ ...(jobJson(j) as object), id: j.id })), query));
    }
    const jobMatch = /^\/v1\/fine_tuning\/jobs\/([^/]+)(\/events|\/cancel)?$/.exec(path);
    if (jobMatch) {
      const job = jobs.get(decodeURIComponent(jobMatch[1]!));
      if (!job) return notFound('fine-tuning job');
      if (method === 'GET' && jobMatch[2] === undefined) {
        advance(job);
        return json(res, 200, jobJson(job));
      }
      if (method === 'GET' && jobMatch[2] === '/events') {
        if (options.events === false) return notFound('route');
        return json(res, 200, page(job.events.map((e) => ({ object: 'fine_tuning.job.event', ...e })), query));
      }
      if (method === 'POST' && jobMatch[2] === '/cancel') {
        if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return json(res, 400, errorBody(`Job ${job.id} has already ended (${job.status})`, 'invalid_request_error', null));
        job.status = 'cancelled';
        job.finishedAt = CREATED_AT + job.polls;
        job.events.unshift({ id: `ftevent-${job.id.slice(6)}-${job.events.length + 1}`, created_at: CREATED_AT + job.events.length, level: 'info', message: 'Job cancelled', type: 'message' });
        return json(res, 200, jobJson(job));
      }
    }
    return json(res, 404, errorBody(`Invalid URL (${method} ${path})`, 'invalid_request_error', null));
  }

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readRaw(req);
      const url = new URL(req.url ?? '/', 'http://fake');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (name !== 'authorization' && typeof value === 'string') headers[name] = value;
      const auth = req.headers['authorization'];
      const credential = typeof auth === 'string' && auth !== '' ? auth.replace(/^Bearer\s+/i, '') : undefined;
      const request: FineTuneRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body: await parse(req, raw), hadAuth: credential !== undefined, headers };
      const index = requests.length;
      requests.push(request);
      const fault = options.fault?.(request, index);
      if (fault?.fault === 'reset') return void res.socket?.destroy();
      if (fault?.fault === 'error') {
        return json(res, fault.status, errorBody(fault.message ?? `fake error ${fault.status}`, fault.status >= 500 ? 'server_error' : 'invalid_request_error', null), fault.headers);
      }
      if (fault?.fault === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (fault?.fault === 'drop_reply') {
        // Carry the request out against a throwaway response, then hang up on the real one.
        handle(request, credential, { writeHead: () => undefined, end: () => undefined } as unknown as ServerResponse);
        return void res.socket?.destroy();
      }
      handle(request, credential, res);
    })().catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, errorBody(`fake server: ${String(err)}`, 'server_error', null));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    files,
    jobs,
    count(method, path) {
      const prefix = path.endsWith('*') ? path.slice(0, -1) : undefined;
      return requests.filter((r) => r.method === method && (prefix !== undefined ? r.path.startsWith(prefix) : r.path === path)).length;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function fileJson(f: UploadedFile): { id: string } & Record<string, unknown> {
  return { object: 'file', id: f.id, bytes: f.bytes, created_at: CREATED_AT, filename: f.filename, purpose: f.purpose, status: 'processed', status_details: null };
}
