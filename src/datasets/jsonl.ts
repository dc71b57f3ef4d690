import { open } from 'node:fs/promises';
import type { z } from 'zod';

/** Limits on untrusted JSONL input: a line or a file past these is refused with its position. */
export const MAX_JSONL_LINE_CHARS = 1_000_000;
export const MAX_JSONL_ROWS = 5_000_000;

export class JsonlError extends Error {
  constructor(
    readonly file: string,
    /** 1-based; 0 for a problem of the whole file (then the message names the file alone). */
    readonly line: number,
    problem: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${problem}` : `${file}: ${problem}`);
    this.name = 'JsonlError';
  }
}

export interface JsonlRow<T> {
  line: number;
  /** The line exactly as read, so a filter can write kept rows unchanged. */
  raw: string;
  value: T;
}

/** What a folder given where a JSONL file belongs is told. */
export const FOLDER_NOT_FILE = 'is a folder, not a JSONL file; name the file';

/** JSON nested deeper than this is refused before it is parsed: rows are shallow records, and deep nesting only exhausts the stack of whatever walks them. */
export const MAX_JSON_DEPTH = 512;

/**
 * Lines of a file as exact bytes decoded strictly: a byte sequence that is not UTF-8 is an error
 * naming its line, never a silent U+FFFD (a filter that writes kept rows unchanged would change
 * them), and so is a byte-order mark. Lines end at LF; a CR before it is dropped.
 */
async function* utf8Lines(file: string): AsyncGenerator<{ line: number; text: string }> {
  let handle;
  try {
    handle = await open(file, 'r');
    if ((await handle.stat()).isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
  } catch (err) {
    await handle?.close();
    const code = (err as NodeJS.ErrnoException).code;
    throw new JsonlError(file, 0, code === 'EISDIR' ? FOLDER_NOT_FILE : `cannot be read (${code ?? (err as Error).message}); check the path`);
  }
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const decode = (bytes: Buffer, line: number): string => {
    if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) throw new JsonlError(file, 1, 'starts with a byte-order mark; save the file as UTF-8 without BOM');
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    try {
      return decoder.decode(bytes.subarray(0, end));
    } catch {
      throw new JsonlError(file, line, 'is not valid UTF-8; save the file as UTF-8');
    }
  };
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let line = 0;
    for await (const chunk of handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
        const piece = chunk.subarray(start, nl);
        const bytes = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
        pending = [];
        pendingBytes = 0;
        line++;
        yield { line, text: decode(bytes, line) };
        start = nl + 1;
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        // A line is at most MAX_JSONL_LINE_CHARS characters, of at most 4 bytes each.
        if (pendingBytes > 4 * MAX_JSONL_LINE_CHARS) throw new JsonlError(file, line + 1, `line is over the limit of ${MAX_JSONL_LINE_CHARS} characters`);
      }
    }
    if (pendingBytes > 0) yield { line: line + 1, text: decode(Buffer.concat(pending), line + 1) };
  } catch (err) {
    if (err instanceof JsonlError) throw err;
    throw new JsonlError(file, 0, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path`);
  } finally {
    await handle.close();
  }
}

/** How deeply `text` nests arrays and objects (brackets inside strings are not counted). */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * Reads a JSONL file row by row, validating each against `schema`. Blank lines are skipped. The
 * first bad row stops the read with a one-line error naming file, line and field.
 */
export async function* readJsonl<T>(file: string, schema: z.ZodType<T>): AsyncGenerator<JsonlRow<T>> {
  let rows = 0;
  for await (const { line: n, text: raw } of utf8Lines(file)) {
    if (raw.trim() === '') continue;
    if (raw.length > MAX_JSONL_LINE_CHARS) throw new JsonlError(file, n, `line is ${raw.length} characters, over the limit of ${MAX_JSONL_LINE_CHARS}`);
    if (++rows > MAX_JSONL_ROWS) throw new JsonlError(file, n, `more than ${MAX_JSONL_ROWS} rows; split the file`);
    const depth = nestingDepth(raw);
    if (depth > MAX_JSON_DEPTH) throw new JsonlError(file, n, `nests arrays or objects ${depth} deep, over the limit of ${MAX_JSON_DEPTH}; each line must be one JSON record`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      throw new JsonlError(file, n, `not valid JSON (${(err as Error).message}); each line must be one JSON object`);
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const field = issue.path.length > 0 ? `field "${issue.path.join('.')}"` : 'row';
      throw new JsonlError(file, n, `${field}: ${issue.message}`);
    }
    yield { line: n, raw, value: result.data };
  }
}
