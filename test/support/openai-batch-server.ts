/**
 * A fake of OpenAI's Batch API for tests: real HTTP on 127.0.0.1, spoken to by the real `openai`
 * SDK. POST /v1/files (multipart, purpose batch), GET /v1/files/{id}/content, POST /v1/batches,
 * GET /v1/batches/{id}, GET /v1/batches (newest first). A batch moves on one stage per GET of it:
 * validating, in_progress, then the end its script gives: completed (some lines may fail, into the
 * error file), failed (nothing done, validation errors), or expired after some of its lines. The
 * answers themselves come from an ordinary `respond` function, as the chat fake's do.
 */
import { completionJson, type ChatCompletionBody, type OpenAIRespond } from './openai-server.js';
import { startFakeHttpServer, type LoggedRequest } from './fake-http.js';

export interface BatchScript {
  end?: 'completed' | 'failed' | 'expired';
  /** Lines (by 0-based position in the input) answered with an error instead of a reply. */
  failLine?: (index: number, customId: string) => boolean;
  /** For 'expired': lines done before the window closed. */
  doneBeforeExpiry?: number;
  /** Polls spent in_progress before the end. Default 1. */
  progressPolls?: number;
}

interface FakeBatch {
  id: string;
  inputFileId: string;
  status: string;
  polls: number;
  metadata: Record<string, string>;
  script: BatchScript;
  lines: { custom_id: string; body: ChatCompletionBody }[];
  outputFileId: string | null;
  errorFileId: string | null;
  completed: number;
  failed: number;
  errors: { code: string; message: string; line: number }[] | null;
}

export interface FakeBatchServer {
  readonly baseURL: string;
  readonly requests: LoggedRequest[];
  readonly batches: FakeBatch[];
  /** Requests to `method path`; a path ending in `*` matches its prefix. */
  count(method: string, path: string): number;
  close(): Promise<void>;
}

export async function startBatchServer(options: { respond: OpenAIRespond; script?: (batchIndex: number) => BatchScript }): Promise<FakeBatchServer> {
  const files = new Map<string, string>();
  const batches: FakeBatch[] = [];
  let fileCount = 0;
  const batchJson = (b: FakeBatch): unknown => ({
    id: b.id,
    object: 'batch',
    endpoint: '/v1/chat/completions',
    errors: b.errors ? { object: 'list', data: b.errors } : null,
    input_file_id: b.inputFileId,
    completion_window: '24h',
    status: b.status,
    output_file_id: b.outputFileId,
    error_file_id: b.errorFileId,
    created_at: 1_750_000_000,
    request_counts: { total: b.lines.length, completed: b.completed, failed: b.failed },
    metadata: b.metadata,
  });
  const addFile = (text: string): string => {
    const id = `file-batch-${++fileCount}`;
    files.set(id, text);
    return id;
  };
  const finish = async (b: FakeBatch): Promise<void> => {
    const end = b.script.end ?? 'completed';
    if (end === 'failed') {
      b.status = 'failed';
      b.errors = [{ code: 'invalid_request', message: 'the fake server refuses this batch', line: 1 }];
      return;
    }
    const done = end === 'expired' ? b.lines.slice(0, b.script.doneBeforeExpiry ?? 0) : b.lines;
    const out: string[] = [];
    const err: string[] = [];
    for (const [i, line] of done.entries()) {
      if (b.script.failLine?.(i, line.custom_id)) {
        b.failed++;
        err.push(JSON.stringify({ id: `batch_req_${i}`, custom_id: line.custom_id, response: { status_code: 500, request_id: `req_${i}`, body: { error: { message: 'fake batch line error', type: 'server_error' } } }, error: null }));
      } else {
        b.completed++;
        const reply = await options.respond(line.body, { index: i });
        if ('fault' in reply) throw new Error('batch fake: respond returned a fault; use failLine');
        out.push(JSON.stringify({ id: `batch_req_${i}`, custom_id: line.custom_id, response: { status_code: 200, request_id: `req_${i}`, body: completionJson(reply, line.body) }, error: null }));
      }
    }
    b.outputFileId = out.length > 0 ? addFile(`${out.join('\n')}\n`) : null;
    b.errorFileId = err.length > 0 ? addFile(`${err.join('\n')}\n`) : null;
    b.status = end;
  };
  const http = await startFakeHttpServer(async (req) => {
    const json = (status: number, body: unknown) => ({ outcome: { kind: 'json' as const, status, body } });
    if (req.method === 'POST' && req.path === '/v1/files') {
      const form = await new Response(String(req.body), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      const file = form.get('file');
      if (form.get('purpose') !== 'batch' || file === null || typeof file === 'string') return json(400, { error: { message: 'expected a file with purpose batch', type: 'invalid_request_error' } });
      const text = await file.text();
      const id = addFile(text);
      return json(200, { id, object: 'file', bytes: Buffer.byteLength(text), created_at: 1_750_000_000, filename: file.name, purpose: 'batch', status: 'processed' });
    }
    const content = /^\/v1\/files\/([^/]+)\/content$/.exec(req.path);
    if (req.method === 'GET' && content) {
      const text = files.get(content[1]!);
      return text === undefined ? json(404, { error: { message: 'no such file', type: 'invalid_request_error' } }) : { outcome: { kind: 'text' as const, status: 200, contentType: 'application/octet-stream', text } };
    }
    if (req.method === 'POST' && req.path === '/v1/batches') {
      const body = req.body as { input_file_id: string; endpoint: string; metadata?: Record<string, string> };
      const text = files.get(body.input_file_id);
      if (text === undefined || body.endpoint !== '/v1/chat/completions') return json(400, { error: { message: 'bad input file or endpoint', type: 'invalid_request_error' } });
      const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { custom_id: string; body: ChatCompletionBody });
      const b: FakeBatch = { id: `batch_${batches.length + 1}`, inputFileId: body.input_file_id, status: 'validating', polls: 0, metadata: body.metadata ?? {}, script: options.script?.(batches.length) ?? {}, lines, outputFileId: null, errorFileId: null, completed: 0, failed: 0, errors: null };
      batches.push(b);
      return json(200, batchJson(b));
    }
    if (req.method === 'GET' && req.path === '/v1/batches') return json(200, { object: 'list', data: [...batches].reverse().map(batchJson), has_more: false });
    const one = /^\/v1\/batches\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && one) {
      const b = batches.find((x) => x.id === one[1]);
      if (!b) return json(404, { error: { message: 'no such batch', type: 'invalid_request_error' } });
      b.polls++;
      if (b.status === 'validating') b.status = 'in_progress';
      else if (b.status === 'in_progress' && b.polls > 1 + (b.script.progressPolls ?? 1)) await finish(b);
      return json(200, batchJson(b));
    }
    return json(404, { error: { message: `Invalid URL (${req.method} ${req.path})`, type: 'invalid_request_error' } });
  });
  return {
    baseURL: `${http.origin}/v1`,
    requests: http.requests,
    batches,
    count: (method, path) => http.requests.filter((r) => r.method === method && (path.endsWith('*') ? r.path.startsWith(path.slice(0, -1)) : r.path === path)).length,
    close: () => http.close(),
  };
}
