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
  /**
   * Called with the reply before the request gives up its place among those in flight (the
   * scheduler awaits it inside its concurrency slot; a provider without one may ignore it): a cache
   * commits the answer here, so that no more requests are ever sent and not yet stored than may
   * be in flight at once. Its failure fails the call, without a retry.
   */
  onReply?: (response: ChatResponse) => Promise<void>;
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
  /** The Batch API of this model's server (openai:, compat: servers with files + batches), where it has one. */
  batchEndpoint?(): BatchEndpoint;
  /**
   * Throws ProviderError('auth') naming the variable when the key this provider needs is not
   * set: called before a run starts, so that a missing key costs one line and writes nothing.
   */
  checkCredentials?(): void;
}

/** A batch as the server reports it. */
export interface BatchState {
  id: string;
  status: 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';
  outputFileId: string | null;
  errorFileId: string | null;
  /** The server's reasons for a failed batch (validation of the file), one line each. */
  errors: string[];
  counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string>;
}

/** One line of a batch's output or error file, keyed by the request's custom_id. */
export type BatchLineResult = { customId: string; ok: true; response: ChatResponse } | { customId: string; ok: false; error: string };

/** The files + batches endpoints of an OpenAI-style server, for one model. */
export interface BatchEndpoint {
  readonly id: string;
  /** The JSONL line that asks `request` under `customId`. */
  line(customId: string, request: ChatRequest): string;
  upload(jsonl: string, filename: string, signal?: AbortSignal): Promise<string>;
  create(inputFileId: string, metadata: Record<string, string>, signal?: AbortSignal): Promise<BatchState>;
  retrieve(batchId: string, signal?: AbortSignal): Promise<BatchState>;
  /** Recent batches whose metadata has emlab_key = key (a create whose reply was lost). */
  find(key: string, signal?: AbortSignal): Promise<BatchState | null>;
  /** The result lines of an output or error file, each read with the checks of a direct reply. */
  results(fileId: string, requests: ReadonlyMap<string, ChatRequest>, signal?: AbortSignal): Promise<BatchLineResult[]>;
}
