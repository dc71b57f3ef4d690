/**
 * The Chat Completions client shared by `openai:` and `compat:` models: maps a ChatRequest onto a
 * `/chat/completions` body, sends it without the SDK (chat-http.ts: no retries, the scheduler owns
 * them), checks the reply's shape (servers are untrusted, and an empty answer must never pass as
 * one), and classifies failures as ProviderErrors. The Batch API goes through the official SDK.
 */
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { ProviderError } from './errors.js';
import type { ErrorContext } from './http-errors.js';
import type { BatchEndpoint, CallOptions, ChatRequest, ChatResponse, Completion, ModelProvider, ProviderCapabilities, TokenLogprob } from './types.js';
import { OpenAIBatchEndpoint } from './openai-batch.js';
import { httpFetch } from './http-fetch.js';
import { postChatCompletion, type ChatEndpoint } from './chat-http.js';

/** The default per-request timeout; the scheduler's default is the same. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

export const OPENAI_CHAT_CAPABILITIES: ProviderCapabilities = { logprobs: true, maxTopLogprobs: 20, scoreText: false };

export type Env = Readonly<Record<string, string | undefined>>;

export interface OpenAIChatConfig {
  /** The model id as typed (`openai:...` / `compat:...#...`). */
  id: string;
  /** The model name sent in the request body. */
  model: string;
  baseURL: string;
  /** Returns the key, or throws a ProviderError('auth') naming the variable to set. */
  apiKey: () => string;
  keyVariable: string;
  /** Reasoning models take `max_completion_tokens`; everything else `max_tokens`. */
  tokenLimitField: 'max_tokens' | 'max_completion_tokens';
  timeoutMs: number;
  organization?: string | null;
  project?: string | null;
}

const topLogprobSchema = z.object({ token: z.string(), logprob: z.number() });
const tokenLogprobSchema = z.object({
  token: z.string(),
  logprob: z.number(),
  // Servers that omit the alternatives at a position mean "none"; a wrong type is still malformed.
  top_logprobs: z.array(topLogprobSchema).nullish(),
});
const choiceSchema = z.object({
  message: z.object({ content: z.string().nullable(), refusal: z.string().nullish() }),
  finish_reason: z.string().nullish(),
  logprobs: z.object({ content: z.array(tokenLogprobSchema).nullish() }).nullish(),
});
const completionSchema = z.object({
  model: z.string().nullish(),
  choices: z.array(choiceSchema),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish(),
});
type ParsedChoice = z.infer<typeof choiceSchema>;

function badResponse(id: string, what: string): ProviderError {
  return new ProviderError('bad_response', `${id}: malformed reply: ${what}`);
}

function checkRequest(id: string, request: ChatRequest): void {
  const n = request.n ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new ProviderError('client', `${id}: n must be a whole number >= 1, got ${n}`);
  const k = request.topLogprobs;
  if (k !== undefined && (!Number.isInteger(k) || k < 0 || k > OPENAI_CHAT_CAPABILITIES.maxTopLogprobs)) {
    throw new ProviderError('client', `${id}: topLogprobs must be a whole number from 0 to ${OPENAI_CHAT_CAPABILITIES.maxTopLogprobs}, got ${k}`);
  }
}

export function toCompletionParams(model: string, request: ChatRequest, tokenLimitField: OpenAIChatConfig['tokenLimitField']): ChatCompletionCreateParamsNonStreaming {
  const params: ChatCompletionCreateParamsNonStreaming = {
    model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
  };
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.topP !== undefined) params.top_p = request.topP;
  if (request.maxTokens !== undefined) params[tokenLimitField] = request.maxTokens;
  if (request.n !== undefined && request.n !== 1) params.n = request.n;
  if (request.seed !== undefined) params.seed = request.seed;
  if (request.stop !== undefined && request.stop.length > 0) params.stop = request.stop;
  if (request.topLogprobs !== undefined) {
    params.logprobs = true;
    params.top_logprobs = request.topLogprobs;
  }
  return params;
}

function toCompletion(id: string, choice: ParsedChoice, index: number, wantLogprobs: boolean): Completion {
  let text = choice.message.content;
  let finishReason = choice.finish_reason ?? undefined;
  if (text === null) {
    // A refusal (structured outputs) is an answer; a null content without one is a broken reply.
    if (typeof choice.message.refusal !== 'string') throw badResponse(id, `choice ${index} has no content`);
    text = choice.message.refusal;
    finishReason = 'refusal';
  }
  const completion: Completion = { text };
  if (finishReason !== undefined) completion.finishReason = finishReason;
  const tokens = choice.logprobs?.content;
  // Logprobs asked for and not sent is a broken reply, not an opinion of the judge: read as an
  // empty distribution it would be stored as an unreadable judgment and never asked again.
  if (wantLogprobs && !tokens && finishReason !== 'refusal' && text !== '') {
    throw badResponse(id, `choice ${index} has no logprobs although they were asked for; if this server never returns logprobs, use --judge-method sampled`);
  }
  if (wantLogprobs && tokens) {
    completion.logprobs = tokens.map(
      (t): TokenLogprob => ({ token: t.token, logprob: t.logprob, top: (t.top_logprobs ?? []).map((a) => ({ token: a.token, logprob: a.logprob })) }),
    );
  }
  return completion;
}

/** Path of the first schema problem, e.g. `choices.0.logprobs.content.0.logprob: expected number`. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const path = issue.path.map(String).join('.');
  return `${path === '' ? 'body' : path}: ${issue.message}`;
}

export class OpenAIChatProvider implements ModelProvider {
  readonly id: string;
  readonly capabilities = OPENAI_CHAT_CAPABILITIES;
  private readonly config: OpenAIChatConfig;
  private client: OpenAI | undefined;
  private secret: string | undefined;
  private endpoint: ChatEndpoint | undefined;

  constructor(config: OpenAIChatConfig) {
    this.id = config.id;
    this.config = config;
  }

  private errorContext(): ErrorContext {
    return { providerId: this.id, model: this.config.model, baseURL: this.config.baseURL, keyVariable: this.config.keyVariable, secret: this.secret };
  }

  /** Read on first use, so that a missing key fails the first request (clearly), not construction. */
  private getEndpoint(): ChatEndpoint {
    if (this.endpoint) return this.endpoint;
    const secret = this.config.apiKey();
    this.secret = secret;
    const extraHeaders: Record<string, string> = {};
    if (this.config.organization) extraHeaders['openai-organization'] = this.config.organization;
    if (this.config.project) extraHeaders['openai-project'] = this.config.project;
    this.endpoint = { ...this.errorContext(), secret, extraHeaders, timeoutMs: this.config.timeoutMs };
    return this.endpoint;
  }

  /** The SDK, for the Batch API; built on first use like the endpoint. */
  private getClient(): OpenAI {
    if (this.client) return this.client;
    const secret = this.getEndpoint().secret;
    this.client = new OpenAI({
      apiKey: secret,
      baseURL: this.config.baseURL,
      organization: this.config.organization ?? null,
      project: this.config.project ?? null,
      maxRetries: 0,
      timeout: this.config.timeoutMs,
      fetch: httpFetch,
    });
    return this.client;
  }

  checkCredentials(): void {
    this.getEndpoint();
  }

  async chat(request: ChatRequest, options: CallOptions = {}): Promise<ChatResponse> {
    checkRequest(this.id, request);
    const wanted = request.n ?? 1;
    const completions: Completion[] = [];
    let usage: ChatResponse['usage'];
    let modelVersion: string | undefined;
    // Some OpenAI-compatible servers ignore n and return one choice: ask again for the rest,
    // moving the seed on so that the extra samples differ from the first ones.
    for (let call = 0; completions.length < wanted; call++) {
      const remaining = wanted - completions.length;
      const seed = request.seed === undefined ? undefined : request.seed + call;
      const part = await this.chatOnce({ ...request, n: remaining, ...(seed === undefined ? {} : { seed }) }, options);
      if (part.completions.length === 0) throw badResponse(this.id, 'the reply has no choices');
      completions.push(...part.completions.slice(0, remaining));
      if (part.usage) usage = { inputTokens: (usage?.inputTokens ?? 0) + part.usage.inputTokens, outputTokens: (usage?.outputTokens ?? 0) + part.usage.outputTokens };
      modelVersion ??= part.modelVersion;
    }
    return { completions, ...(usage ? { usage } : {}), ...(modelVersion !== undefined ? { modelVersion } : {}) };
  }

  private async chatOnce(request: ChatRequest, options: CallOptions): Promise<ChatResponse> {
    const params = toCompletionParams(this.config.model, request, this.config.tokenLimitField);
    const raw = await postChatCompletion(this.getEndpoint(), params, options.signal);
    return parseCompletionBody(this.id, raw, request);
  }

  /**
   * The same model through the Batch API (files + batches endpoints): requests are written as
   * JSONL lines with this provider's own request body, and each result line is read back by the
   * same checks as a direct reply.
   */
  batchEndpoint(): BatchEndpoint {
    return new OpenAIBatchEndpoint(this.id, this.config.baseURL, () => this.getClient(), () => this.errorContext(), (request) => {
      checkRequest(this.id, request);
      return toCompletionParams(this.config.model, request, this.config.tokenLimitField);
    });
  }
}

/** A chat completion body as the server sent it, checked and turned into a ChatResponse. */
export function parseCompletionBody(id: string, raw: unknown, request: ChatRequest): ChatResponse {
  const parsed = completionSchema.safeParse(raw);
  if (!parsed.success) throw badResponse(id, firstIssue(parsed.error));
  const wantLogprobs = request.topLogprobs !== undefined;
  const response: ChatResponse = { completions: parsed.data.choices.map((c, i) => toCompletion(id, c, i, wantLogprobs)) };
  const u = parsed.data.usage;
  if (u) response.usage = { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens };
  if (parsed.data.model) response.modelVersion = parsed.data.model;
  return response;
}

/** Reads a key from `env`; an unset or empty variable is a ProviderError('auth') naming it. */
export function requireKey(env: Env, variable: string, id: string, hint: string): () => string {
  return () => {
    const key = env[variable];
    if (key === undefined || key.trim() === '') throw new ProviderError('auth', `${id}: ${variable} is not set; ${hint}`);
    return key.trim();
  };
}
