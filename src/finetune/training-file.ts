/**
 * Local checks of a chat fine-tuning JSONL file before anything is uploaded or paid for: every row
 * is `{"messages": [...]}` with roles system/user/assistant, non-blank string contents, and an
 * assistant message last (the training target). The first problem is one line naming file, line
 * and field, e.g. `train.jsonl:12: field "messages.1.role": must be "system", "user" or "assistant", got "bot"`.
 * The bytes checked are the bytes hashed and uploaded.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { FOLDER_NOT_FILE, JsonlError, readJsonl } from '../datasets/jsonl.js';

/** OpenAI's limits: at least 10 examples per training file, files up to 512 MB. */
export const OPENAI_MIN_TRAINING_ROWS = 10;
export const OPENAI_MAX_FILE_BYTES = 512 * 1024 * 1024;

const ROLES = ['system', 'user', 'assistant'] as const;

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
};

/** Messages of an object schema's own issues (not an object, unknown keys), in emlab's words. */
const objectIssues = (what: string) => (issue: { code?: string; keys?: string[]; input?: unknown }): string | undefined => {
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}: ${what}`;
  if (issue.code === 'invalid_type') return `must be an object: ${what}; got ${shown(issue.input)}`;
  return undefined;
};

const messageSchema = z
  .strictObject({
    role: z.enum(ROLES, { error: (issue) => `must be "system", "user" or "assistant", got ${shown(issue.input)}` }),
    content: z
      .string({ error: (issue) => `must be a string (the message text), got ${issue.input === undefined ? 'nothing' : shown(issue.input)}` })
      .refine((text) => text.trim() !== '', { error: 'must not be empty or only whitespace' }),
    name: z.string().optional(),
    // OpenAI's per-message switch for multi-turn rows: 0 = do not train on this assistant turn.
    weight: z.union([z.literal(0), z.literal(1)], { error: 'must be 0 or 1' }).optional(),
  }, { error: objectIssues('a message has role, content, and optionally name and weight') });

export const trainingRowSchema = z
  .strictObject({
    messages: z
      .array(messageSchema, { error: (issue) => `must be an array of {role, content} messages, got ${issue.input === undefined ? 'nothing' : shown(issue.input)}` })
      .min(1, { error: 'must hold at least one message' }),
  }, { error: objectIssues('each row is {"messages": [...]} only') })
  .superRefine((row, ctx) => {
    const last = row.messages.length - 1;
    const lastRole = row.messages[last]?.role;
    if (lastRole !== 'assistant') {
      ctx.addIssue({ code: 'custom', path: ['messages', last, 'role'], message: `the last message must be the assistant's (the training target), got "${lastRole}"` });
      return;
    }
    row.messages.forEach((m, i) => {
      if (m.weight !== undefined && m.role !== 'assistant') ctx.addIssue({ code: 'custom', path: ['messages', i, 'weight'], message: 'only assistant messages take a weight' });
    });
  });

export type TrainingRow = z.infer<typeof trainingRowSchema>;

export interface TrainingFile {
  /** The path as given (shown in messages). */
  path: string;
  /** The exact bytes that were checked: hash and upload these. */
  bytes: Buffer;
  /** sha256 (hex) of `bytes`. */
  sha256: string;
  rows: number;
}

export interface TrainingFileLimits {
  /** Fewer rows than this is an error (OpenAI: 10). */
  minRows?: number;
  maxBytes?: number;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Reads and checks a training (or validation) file. Throws JsonlError (one line: file, line,
 * field, what to do) at the first problem. The returned bytes are exactly those checked.
 */
export async function readTrainingFile(path: string, limits: TrainingFileLimits = {}): Promise<TrainingFile> {
  const maxBytes = limits.maxBytes ?? OPENAI_MAX_FILE_BYTES;
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new JsonlError(path, 0, FOLDER_NOT_FILE);
    size = info.size;
  } catch (err) {
    if (err instanceof JsonlError) throw err;
    throw new JsonlError(path, 0, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path`);
  }
  if (size > maxBytes) throw new JsonlError(path, 0, `is ${size} bytes, over the upload limit of ${maxBytes}; use fewer rows`);
  const bytes = await readFile(path);
  // readJsonl refuses a byte-order mark and bytes that are not UTF-8, each with its line.
  let rows = 0;
  for await (const _row of readJsonl(path, trainingRowSchema)) rows++;
  if (rows === 0) throw new JsonlError(path, 0, 'has no rows; each line must be {"messages": [...]}');
  const minRows = limits.minRows ?? 1;
  if (rows < minRows) throw new JsonlError(path, 0, `has ${rows} row(s); fine-tuning needs at least ${minRows} examples: add rows`);

  // The rows were read from disk a second time: if the file changed meanwhile, what was checked
  // is not what would be uploaded.
  const digest = sha256(bytes);
  if (sha256(await readFile(path)) !== digest) throw new JsonlError(path, 0, 'changed while it was being checked; run again once it is written');
  return { path, bytes, sha256: digest, rows };
}
