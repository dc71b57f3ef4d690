/**
 * `openai:<model>`: the OpenAI API (chat requests over emlab's HTTP client, chat-http.ts; the Batch
 * API through the official SDK). The key comes from OPENAI_API_KEY
 * (read when the provider is first used); OPENAI_BASE_URL points it elsewhere (a proxy, a gateway).
 */
import type { ModelRef } from './model-id.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, OpenAIChatProvider, requireKey, type Env } from './openai-chat.js';
import type { ModelProvider } from './types.js';

export interface RemoteProviderOptions {
  /** Where keys and base URLs are read from; defaults to process.env. */
  env?: Env;
  /** Per-request timeout of the HTTP client; keep it equal to the scheduler's. */
  timeoutMs?: number;
}

const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * Reasoning models (o1, o3, o4-mini, gpt-5 and their fine-tunes `ft:o4-mini-...`) refuse
 * `max_tokens` and take `max_completion_tokens`; older chat models are sent `max_tokens`, which
 * every OpenAI-compatible gateway understands.
 */
export function usesMaxCompletionTokens(model: string): boolean {
  const base = model.startsWith('ft:') ? model.slice(3) : model;
  return /^(o\d|gpt-5)/i.test(base);
}

export function createOpenAIProvider(ref: Extract<ModelRef, { scheme: 'openai' }>, opts: RemoteProviderOptions = {}): ModelProvider {
  const env = opts.env ?? process.env;
  const baseURL = (env['OPENAI_BASE_URL']?.trim() || DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, '');
  return new OpenAIChatProvider({
    id: ref.id,
    model: ref.model,
    baseURL,
    apiKey: requireKey(env, 'OPENAI_API_KEY', ref.id, 'export OPENAI_API_KEY=... (or use a compat:<baseURL>#<model> id for a local server)'),
    keyVariable: 'OPENAI_API_KEY',
    tokenLimitField: usesMaxCompletionTokens(ref.model) ? 'max_completion_tokens' : 'max_tokens',
    timeoutMs: opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    organization: env['OPENAI_ORG_ID'] || null,
    project: env['OPENAI_PROJECT_ID'] || null,
  });
}
