/**
 * The one interface every model backend implements (modelled on the Vercel AI SDK's provider
 * interface): a chat request in, completions with optional per-token top-k logprobs out.
 * Retries, rate limits and timeouts are NOT a provider's job: `scheduler.ts` owns them, so each
 * provider turns SDK retries off and throws a classified `ProviderError` instead.
 */

export type Role = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: Role;
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Sampling temperature; providers pass it through unchanged (0 = greedy where supported). */
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  /** Number of completions wanted from this one request. Providers that cannot do n>1 loop. */
  n?: number;
  seed?: number;
  /** When set (1..20), ask for this many alternatives per generated token. */
  topLogprobs?: number;
  stop?: string[];
}

export interface TopLogprob {
  token: string;
  logprob: number;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  top: TopLogprob[];
}

export interface Completion {
  text: string;
  finishReason?: string;
  /** Present only when logprobs were asked for and the backend returned them. */
  logprobs?: TokenLogprob[];
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatResponse {
  completions: Completion[];
  usage?: Usage;
  /** The model name the backend says answered (e.g. a dated snapshot), if it says. */
  modelVersion?: string;
}

export interface ProviderCapabilities {
  /** Returns top-k logprobs of generated tokens. */
  logprobs: boolean;
  /** The largest top-k the backend accepts (OpenAI: 20). */
  maxTopLogprobs: number;
  /** Can compute the exact probability of given assistant replies (teacher forcing). */
  scoreText: boolean;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface ModelProvider {
  /** The canonical model id, as the user typed it (see model-id.ts). */
  readonly id: string;
  /**
   * What the id does not say about the weights behind it, where the provider can know it (an
   * organism's checkpoint hash). Stored answers and judgments are keyed by it beside the id, so a
   * changed model under the same id is never served another model's answers. Absent for API
   * models, whose weights emlab cannot see.
   */
  readonly version?: string;
  readonly capabilities: ProviderCapabilities;
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResponse>;
  /**
   * Log-probability of each candidate text being the whole assistant reply to `messages`
   * (teacher-forced). Only where `capabilities.scoreText` is true.
   */
  scoreReplies?(messages: ChatMessage[], candidates: string[], options?: CallOptions): Promise<number[]>;
  close?(): Promise<void>;
  /**
   * Throws ProviderError('auth') naming the variable when the key this provider needs is not
   * set: called before a run starts, so that a missing key costs one line and writes nothing.
   */
  checkCredentials?(): void;
}
