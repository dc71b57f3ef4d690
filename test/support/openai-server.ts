/**
 * A fake OpenAI-compatible server for tests: real HTTP on 127.0.0.1 speaking
 * POST /v1/chat/completions and GET /v1/models, driven by a `respond(body, ctx)` function that
 * describes either a normal reply or a fault. Point the real `openai` SDK (or emlab's `openai:` /
 * `compat:` providers) at `server.baseURL`.
 *
 *   const server = await startOpenAIServer({ respond: judgeResponder({ '0': 0.1, '100': 0.9 }) });
 *   const provider = createCompatProvider(parseModelId(`compat:${server.baseURL}#judge`));
 *   ...
 *   await server.close();
 */
import { createHash } from 'node:crypto';
import { htmlErrorPage, inOrder as inOrderOf, retryAfterHeaders, startFakeHttpServer, type HttpOutcome, type LoggedRequest } from './fake-http.js';

export type { LoggedRequest } from './fake-http.js';

/** The request body as the server received it (only the fields the fake looks at are typed). */
export interface ChatCompletionBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  n?: number;
  seed?: number;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  logprobs?: boolean;
  top_logprobs?: number;
  stop?: string | string[];
  [field: string]: unknown;
}

export interface ReplyToken {
  token: string;
  logprob: number;
  /** The top alternatives at this position; defaults to just the token itself. */
  top?: Array<{ token: string; logprob: number }>;
}

export interface ReplyChoice {
  /** null sends `content: null` (a broken reply the provider must reject). */
  text: string | null;
  finishReason?: string;
  /** Per generated token; sent only when the request asked for logprobs. */
  logprobs?: ReplyToken[];
}

export interface ChatReply {
  choices: ReplyChoice[];
  usage?: { inputTokens: number; outputTokens: number };
  /** The `model` field of the reply; defaults to the requested model. */
  model?: string;
}

export type OpenAIFault =
  /** A JSON error body `{error:{message,type,code}}` with this status. */
  | { fault: 'error'; status: number; message?: string; type?: string; code?: string; headers?: Record<string, string> }
  /** 429, with the given Retry-After (seconds) and/or retry-after-ms headers, or none. */
  | { fault: 'rate_limit'; retryAfterSeconds?: number; retryAfterMs?: number }
  /** An HTML error page, as a proxy in front of the server sends (default 502). */
  | { fault: 'html'; status?: number }
  /** The connection is destroyed after the request arrives. */
  | { fault: 'reset' }
  /** No reply ever comes (until the client aborts or the server closes). */
  | { fault: 'hang' }
  /** 200 with the first half of a valid JSON reply. */
  | { fault: 'truncated_json' }
  /** 200 with one choice whose message content is null. */
  | { fault: 'null_content' }
  /** 200 with a logprobs structure of the wrong shape. */
  | { fault: 'malformed_logprobs' };

/** What `respond` returns: a reply or a fault, optionally after `delayMs` of latency. */
export type OpenAIReply = (ChatReply | OpenAIFault) & { delayMs?: number };

export interface RespondContext {
  /** 0-based index of this chat request among the chat requests this server received. */
  index: number;
}

export type OpenAIRespond = (body: ChatCompletionBody, ctx: RespondContext) => OpenAIReply | Promise<OpenAIReply>;

export interface FakeOpenAIServerOptions {
  /** Defaults to `echoResponder`. */
  respond?: OpenAIRespond;
  /** When given, GET /v1/models lists these and chat requests for any other model get 404. */
  models?: string[];
  /**
   * When given, requests must carry `Authorization: Bearer <apiKey>`; others get a 401 whose
   * message quotes the key that was sent (as careless servers do), to test redaction.
   */
  apiKey?: string;
  /** Listen on this port instead of a free one. */
  port?: number;
  /** How long an idle kept-alive connection stays open (Node's default: 5 s). */
  keepAliveTimeoutMs?: number;
}

export interface FakeOpenAIServer {
  /** `http://127.0.0.1:<port>/v1`: the SDK's baseURL and the part of a `compat:` id before `#`. */
  readonly baseURL: string;
  /** Every request received, in order (credentials left out). */
  readonly requests: LoggedRequest[];
  /** Bodies of the chat completion requests, in order. */
  chatBodies(): ChatCompletionBody[];
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Replace the respond function (e.g. between phases of a test). */
  respond: OpenAIRespond;
  close(): Promise<void>;
}

function errorBody(message: string, type: string, code: string | null): unknown {
  return { error: { message, type, param: null, code } };
}

function faultOutcome(fault: OpenAIFault, body: ChatCompletionBody): HttpOutcome {
  switch (fault.fault) {
    case 'error':
      return {
        kind: 'json',
        status: fault.status,
        body: errorBody(fault.message ?? `fake error ${fault.status}`, fault.type ?? (fault.status >= 500 ? 'server_error' : 'invalid_request_error'), fault.code ?? null),
        ...(fault.headers ? { headers: fault.headers } : {}),
      };
    case 'rate_limit':
      return {
        kind: 'json',
        status: 429,
        body: errorBody(`Rate limit reached for ${body.model}. Please try again later.`, 'requests', 'rate_limit_exceeded'),
        headers: retryAfterHeaders(fault),
      };
    case 'html': {
      const status = fault.status ?? 502;
      return { kind: 'text', status, contentType: 'text/html', text: htmlErrorPage(status) };
    }
    case 'reset':
      return { kind: 'reset' };
    case 'hang':
      return { kind: 'hang' };
    case 'truncated_json': {
      const full = JSON.stringify(completionJson({ choices: [{ text: 'this reply is cut short' }] }, body));
      return { kind: 'text', status: 200, contentType: 'application/json', text: full.slice(0, Math.floor(full.length / 2)) };
    }
    case 'null_content':
      return { kind: 'json', status: 200, body: completionJson({ choices: [{ text: null }] }, body) };
    case 'malformed_logprobs': {
      const json = completionJson({ choices: [{ text: 'fine' }] }, body) as { choices: Array<Record<string, unknown>> };
      json.choices[0]!['logprobs'] = { content: [{ token: 'fine', logprob: 'very likely', top_logprobs: 'none' }] };
      return { kind: 'json', status: 200, body: json };
    }
  }
}

function tokenJson(t: ReplyToken): unknown {
  const bytes = (s: string): number[] => [...Buffer.from(s, 'utf8')];
  const top = t.top ?? [{ token: t.token, logprob: t.logprob }];
  return { token: t.token, logprob: t.logprob, bytes: bytes(t.token), top_logprobs: top.map((a) => ({ token: a.token, logprob: a.logprob, bytes: bytes(a.token) })) };
}

/** The JSON body of a successful chat completion, as the OpenAI API shapes it. */
export function completionJson(reply: ChatReply, body: ChatCompletionBody): unknown {
  const wantLogprobs = body.logprobs === true;
  const inputTokens = reply.usage?.inputTokens ?? body.messages.reduce((sum, m) => sum + wordCount(m.content), 0);
  const outputTokens = reply.usage?.outputTokens ?? reply.choices.reduce((sum, c) => sum + wordCount(c.text ?? ''), 0);
  return {
    id: `chatcmpl-fake${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12)}`,
    object: 'chat.completion',
    created: 1_700_000_000,
    model: reply.model ?? body.model,
    system_fingerprint: 'fp_fake',
    choices: reply.choices.map((c, index) => ({
      index,
      message: { role: 'assistant', content: c.text, refusal: null },
      logprobs: wantLogprobs && c.logprobs ? { content: c.logprobs.map(tokenJson), refusal: null } : null,
      finish_reason: c.finishReason ?? 'stop',
    })),
    usage: { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
  };
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => w !== '').length;
}

function lastUserMessage(body: ChatCompletionBody): string {
  return [...body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
}

/**
 * The reply `echoResponder` gives: for each of the n choices, a text derived deterministically
 * from (messages, seed, choice index), so equal requests get equal texts and different seeds
 * differ. When logprobs are asked for, each word is a token with top alternatives.
 */
export function echoReply(body: ChatCompletionBody): ChatReply {
  const n = body.n ?? 1;
  const choices: ReplyChoice[] = [];
  for (let i = 0; i < n; i++) {
    const digest = createHash('sha256').update(JSON.stringify([body.messages, body.seed ?? null, i])).digest('hex').slice(0, 8);
    const text = `echo ${digest}: ${lastUserMessage(body)}`;
    const k = body.top_logprobs ?? 0;
    const logprobs = text
      .split(/(?=\s)/)
      .map((token, t): ReplyToken => ({
        token,
        logprob: -0.1 * ((t % 3) + 1),
        top: [{ token, logprob: -0.1 * ((t % 3) + 1) }, ...Array.from({ length: Math.max(0, k - 1) }, (_, a) => ({ token: ` alt${a}`, logprob: -3 - a }))],
      }));
    choices.push({ text, logprobs });
  }
  return { choices };
}

/**
 * Scripted replies: chat request i gets item i, every later one the last item. Items are replies
 * or respond functions, e.g. `inOrder([{ fault: 'rate_limit' }, { fault: 'reset' }, echoResponder])`.
 */
export function inOrder(items: Array<OpenAIReply | OpenAIRespond>): OpenAIRespond {
  return inOrderOf(items);
}

/** Answers every chat request with `echoReply`. */
export const echoResponder: OpenAIRespond = (body) => echoReply(body);

/**
 * A judge-like reply: one token, the most probable key of `probabilities`, whose top_logprobs
 * are the given {token: probability} map (as log-probabilities, most probable first, cut to
 * `topK` entries when given). Probabilities need not sum to 1 (the rest is "elsewhere").
 */
export function judgeReply(probabilities: Record<string, number>, topK?: number): ChatReply {
  const top = Object.entries(probabilities)
    .filter(([, p]) => p > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, topK ?? Infinity)
    .map(([token, p]) => ({ token, logprob: Math.log(p) }));
  const first = top[0];
  if (!first) throw new Error('judgeReply needs at least one token with probability > 0');
  return { choices: [{ text: first.token, finishReason: 'length', logprobs: [{ token: first.token, logprob: first.logprob, top }] }], usage: { inputTokens: 100, outputTokens: 1 } };
}

/** Answers every request with `judgeReply(probabilities)`, cut to the request's top_logprobs. */
export function judgeResponder(probabilities: Record<string, number>): OpenAIRespond {
  return (body) => judgeReply(probabilities, body.top_logprobs);
}

function isFault(reply: ChatReply | OpenAIFault): reply is OpenAIFault {
  return 'fault' in reply;
}

function validate(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the request body must be a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b['model'] !== 'string' || b['model'] === '') return "you must provide a model parameter";
  if (!Array.isArray(b['messages']) || b['messages'].length === 0) return "'messages' must be a non-empty array";
  return undefined;
}

export async function startOpenAIServer(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  let respond = options.respond ?? echoResponder;
  let chatIndex = 0;
  const http = await startFakeHttpServer(async (req, ctx) => {
    if (options.apiKey !== undefined && ctx.credential !== options.apiKey) {
      return { outcome: { kind: 'json', status: 401, body: errorBody(`Incorrect API key provided: ${ctx.credential ?? '(none)'}.`, 'invalid_request_error', 'invalid_api_key') } };
    }
    if (req.method === 'GET' && req.path === '/v1/models') {
      const ids = options.models ?? ['fake-model'];
      return { outcome: { kind: 'json', status: 200, body: { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'emlab-test' })) } } };
    }
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') {
      return { outcome: { kind: 'json', status: 404, body: errorBody(`Invalid URL (${req.method} ${req.path})`, 'invalid_request_error', null) } };
    }
    const problem = validate(req.body);
    if (problem) return { outcome: { kind: 'json', status: 400, body: errorBody(problem, 'invalid_request_error', null) } };
    const body = req.body as ChatCompletionBody;
    if (options.models && !options.models.includes(body.model)) {
      return { outcome: { kind: 'json', status: 404, body: errorBody(`The model \`${body.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found') } };
    }
    const index = chatIndex++;
    const reply = await respond(body, { index });
    const outcome: HttpOutcome = isFault(reply) ? faultOutcome(reply, body) : { kind: 'json', status: 200, body: completionJson(reply, body) };
    return { outcome, ...(reply.delayMs !== undefined ? { delayMs: reply.delayMs } : {}) };
  }, options.port ?? 0, options.keepAliveTimeoutMs !== undefined ? { keepAliveTimeoutMs: options.keepAliveTimeoutMs } : {});
  return {
    baseURL: `${http.origin}/v1`,
    requests: http.requests,
    chatBodies: () => http.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions').map((r) => r.body as ChatCompletionBody),
    get inFlight() {
      return http.inFlight;
    },
    get maxInFlight() {
      return http.maxInFlight;
    },
    get respond() {
      return respond;
    },
    set respond(fn: OpenAIRespond) {
      respond = fn;
    },
    close: () => http.close(),
  };
}
