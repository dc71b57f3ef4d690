/**
 * The Batch API of OpenAI-style servers (files + batches, at half the price of direct requests):
 * a JSONL file of chat requests is uploaded with purpose "batch", a batch is created over it for
 * /v1/chat/completions within 24 h, and its output and error files are read back line by line.
 * Calls go through the official SDK (retries off: the batch runner in src/eval owns retries and
 * polling); failures are classified ProviderErrors like those of direct requests.
 */
import OpenAI, { toFile } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { ProviderError } from './errors.js';
import { toProviderError, type ErrorContext } from './http-errors.js';
import { parseCompletionBody } from './openai-chat.js';
import { redactDeep } from './redact.js';
import type { BatchEndpoint, BatchLineResult, BatchState, ChatRequest } from './types.js';

/** How many recent batches are looked through for one whose create reply was lost. */
const FIND_LIMIT = 100;

export class OpenAIBatchEndpoint implements BatchEndpoint {
  constructor(
    readonly id: string,
    private readonly baseURL: string,
    private readonly client: () => OpenAI,
    private readonly context: () => ErrorContext,
    private readonly body: (request: ChatRequest) => ChatCompletionCreateParamsNonStreaming,
  ) {}

  line(customId: string, request: ChatRequest): string {
    return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: this.body(request) });
  }

  private async call<T>(fn: (sdk: OpenAI) => Promise<T>): Promise<T> {
    try {
      // Servers echo the key (in batch errors, in result lines): none of it is read back.
      return redactDeep(await fn(this.client()), this.context().secret);
    } catch (err) {
      throw toProviderError(err, this.context(), OpenAI);
    }
  }

  async upload(jsonl: string, filename: string, signal?: AbortSignal): Promise<string> {
    const upload = await toFile(Buffer.from(jsonl, 'utf8'), filename, { type: 'application/jsonl' });
    const file = await this.call((sdk) => sdk.files.create({ file: upload, purpose: 'batch' }, signal ? { signal } : {}));
    return file.id;
  }

  create(inputFileId: string, metadata: Record<string, string>, signal?: AbortSignal): Promise<BatchState> {
    return this.call(async (sdk) => stateOf(await sdk.batches.create({ input_file_id: inputFileId, endpoint: '/v1/chat/completions', completion_window: '24h', metadata }, signal ? { signal } : {})));
  }

  retrieve(batchId: string, signal?: AbortSignal): Promise<BatchState> {
    return this.call(async (sdk) => stateOf(await sdk.batches.retrieve(batchId, signal ? { signal } : {})));
  }

  find(key: string, signal?: AbortSignal): Promise<BatchState | null> {
    return this.call(async (sdk) => {
      let seen = 0;
      for await (const b of sdk.batches.list({ limit: FIND_LIMIT }, signal ? { signal } : {})) {
        if (b.metadata?.['emlab_key'] === key) return stateOf(b);
        if (++seen >= FIND_LIMIT) break;
      }
      return null;
    });
  }

  async results(fileId: string, requests: ReadonlyMap<string, ChatRequest>, signal?: AbortSignal): Promise<BatchLineResult[]> {
    const text = await this.call(async (sdk) => (await sdk.files.content(fileId, signal ? { signal } : {})).text());
    const out: BatchLineResult[] = [];
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      let line: { custom_id?: unknown; response?: { status_code?: unknown; body?: unknown } | null; error?: { message?: unknown; code?: unknown } | null };
      try {
        line = JSON.parse(raw) as typeof line;
      } catch {
        throw new ProviderError('bad_response', `${this.id}: batch file ${fileId} at ${this.baseURL} holds a line that is not JSON`);
      }
      const customId = typeof line.custom_id === 'string' ? line.custom_id : undefined;
      const request = customId === undefined ? undefined : requests.get(customId);
      // A line for a request this run did not ask (or an unreadable id) is not ours to read.
      if (customId === undefined || request === undefined) continue;
      const status = line.response?.status_code;
      if (status === 200 && line.response?.body !== undefined) {
        try {
          out.push({ customId, ok: true, response: parseCompletionBody(this.id, line.response.body, request) });
        } catch (err) {
          out.push({ customId, ok: false, error: err instanceof Error ? err.message : String(err) });
        }
      } else {
        const body = line.response?.body as { error?: { message?: unknown } } | undefined;
        const message = typeof line.error?.message === 'string' ? line.error.message : typeof body?.error?.message === 'string' ? body.error.message : `status ${String(status ?? 'none')}`;
        out.push({ customId, ok: false, error: `${this.id}: batch request failed: ${message.slice(0, 200)}` });
      }
    }
    return out;
  }
}

function stateOf(b: OpenAI.Batches.Batch): BatchState {
  return {
    id: b.id,
    status: b.status,
    outputFileId: b.output_file_id ?? null,
    errorFileId: b.error_file_id ?? null,
    errors: (b.errors?.data ?? []).map((e) => `${e.line !== undefined && e.line !== null ? `line ${e.line}: ` : ''}${e.message ?? e.code ?? 'error'}`),
    counts: { total: b.request_counts?.total ?? 0, completed: b.request_counts?.completed ?? 0, failed: b.request_counts?.failed ?? 0 },
    metadata: (b.metadata ?? {}) as Record<string, string>,
  };
}
