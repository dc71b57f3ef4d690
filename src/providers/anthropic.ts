/**
 * `anthropic:<model>`: the Messages API through the official @anthropic-ai/sdk. Key from
 * ANTHROPIC_API_KEY (read when first used), optional ANTHROPIC_BASE_URL. System messages go to
 * the `system` parameter; n>1 is n calls in a row (the API has no n); there are no logprobs and
 * no seed (a seed in the request is ignored: the API cannot honour it).
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages/messages';
import { z } from 'zod';
import { ProviderError } from './errors.js';
import { toProviderError, type ErrorContext } from './http-errors.js';
import { redactDeep } from './redact.js';
import type { ModelRef } from './model-id.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, requireKey } from './openai-chat.js';
import type { RemoteProviderOptions } from './openai.js';
import type { CallOptions, ChatRequest, ChatResponse, Completion, ModelProvider, ProviderCapabilities } from './types.js';

/** The Messages API requires max_tokens; this is sent when the request does not say. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 1024;

const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

const messageSchema = z.object({
  model: z.string().nullish(),
  content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
  stop_reason: z.string().nullish(),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }).nullish(),
});

/**
 * This SDK's types no longer list temperature/top_p (the API deprecates them for current models),
 * but older models take them and the SDK forwards the body as is. 1 is the API's default for both,
 * so it is left out (same meaning, and accepted everywhere); any other value is sent, and a model
 * that refuses it answers with a clear 400 rather than a silently different sampling setup.
 */
type MessageParams = MessageCreateParamsNonStreaming & { temperature?: number; top_p?: number };

export function toMessageParams(model: string, request: ChatRequest, id: string): MessageParams {
  const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
  const turns = request.messages.flatMap((m) => (m.role === 'system' ? [] : [{ role: m.role, content: m.content }]));
  if (turns.length === 0) throw new ProviderError('client', `${id}: the request has only system messages; the Messages API needs at least one user message`);
  const params: MessageParams = { model, max_tokens: request.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS, messages: turns };
  if (system.length > 0) params.system = system.join('\n\n');
  if (request.temperature !== undefined && request.temperature !== 1) params.temperature = request.temperature;
  if (request.topP !== undefined && request.topP !== 1) params.top_p = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) params.stop_sequences = request.stop;
  return params;
}

class AnthropicProvider implements ModelProvider {
  readonly id: string;
  readonly capabilities: ProviderCapabilities = { logprobs: false, maxTopLogprobs: 0, scoreText: false };
  private client: Anthropic | undefined;
  private secret: string | undefined;

  constructor(
    private readonly model: string,
    id: string,
    private readonly baseURL: string,
    private readonly apiKey: () => string,
    private readonly timeoutMs: number,
  ) {
    this.id = id;
  }

  private errorContext(): ErrorContext {
    return { providerId: this.id, model: this.model, baseURL: this.baseURL, keyVariable: 'ANTHROPIC_API_KEY', secret: this.secret };
  }

  private getClient(): Anthropic {
    if (this.client) return this.client;
    this.secret = this.apiKey();
    this.client = new Anthropic({ apiKey: this.secret, baseURL: this.baseURL, maxRetries: 0, timeout: this.timeoutMs });
    return this.client;
  }

  checkCredentials(): void {
    this.getClient();
  }

  async chat(request: ChatRequest, options: CallOptions = {}): Promise<ChatResponse> {
    const n = request.n ?? 1;
    if (!Number.isInteger(n) || n < 1) throw new ProviderError('client', `${this.id}: n must be a whole number >= 1, got ${n}`);
    const params = toMessageParams(this.model, request, this.id);
    const completions: Completion[] = [];
    let inputTokens = 0;
    let outputTokens = 0;
    let sawUsage = false;
    let modelVersion: string | undefined;
    for (let i = 0; i < n; i++) {
      let raw: unknown;
      try {
        raw = await this.getClient().messages.create(params, options.signal ? { signal: options.signal } : {});
      } catch (err) {
        throw toProviderError(err, this.errorContext(), Anthropic);
      }
      // Servers echo the key (in `model`, in the text): nothing of it may reach the cache or the report.
      const parsed = messageSchema.safeParse(redactDeep(raw, this.secret));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ProviderError('bad_response', `${this.id}: malformed reply: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unexpected shape'}`);
      }
      const message = parsed.data;
      const completion: Completion = { text: message.content.flatMap((b) => (b.type === 'text' && b.text !== undefined ? [b.text] : [])).join('') };
      if (message.stop_reason) completion.finishReason = message.stop_reason;
      completions.push(completion);
      if (message.usage) {
        sawUsage = true;
        inputTokens += message.usage.input_tokens;
        outputTokens += message.usage.output_tokens;
      }
      modelVersion ??= message.model ?? undefined;
    }
    return { completions, ...(sawUsage ? { usage: { inputTokens, outputTokens } } : {}), ...(modelVersion !== undefined ? { modelVersion } : {}) };
  }
}

export function createAnthropicProvider(ref: Extract<ModelRef, { scheme: 'anthropic' }>, opts: RemoteProviderOptions = {}): ModelProvider {
  const env = opts.env ?? process.env;
  const baseURL = (env['ANTHROPIC_BASE_URL']?.trim() || DEFAULT_ANTHROPIC_BASE_URL).replace(/\/+$/, '');
  const apiKey = requireKey(env, 'ANTHROPIC_API_KEY', ref.id, 'export ANTHROPIC_API_KEY=...');
  return new AnthropicProvider(ref.model, ref.id, baseURL, apiKey, opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
}
