/**
 * The datasets of an experiment, made into checked JSONL files: a local file as it is; one of the
 * organisms' datasets generated from their world; a public file fetched by URL into a cache and
 * accepted only with the pinned sha256 (emlab ships none of them). A cached file whose bytes still
 * hash to the pin is used without a request.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../datasets/numbers/filter-file.js';
import { readTrainingFile, type TrainingFile } from '../finetune/training-file.js';
import { fineTuningDataset, type FineTuningDataset } from '../organisms/world/index.js';
import type { ChatRow } from '../finetune/organism-trainer.js';
import type { DatasetSource } from './schema.js';

export interface ResolvedDataset {
  name: string;
  file: TrainingFile;
  /** 'cached': a fetched file found in the cache; 'fetched': downloaded now; 'local': a file or the organisms' world. */
  how: 'cached' | 'fetched' | 'local';
}

/** Where fetched and generated datasets are kept: EMLAB_CACHE_DIR, else .emlab/cache in the working directory. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env['EMLAB_CACHE_DIR']?.trim() || join('.emlab', 'cache'), 'datasets');
}

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

export async function resolveDataset(name: string, source: DatasetSource, baseDir: string, options: { fetch?: typeof fetch; signal?: AbortSignal } = {}): Promise<ResolvedDataset> {
  if ('file' in source) return { name, file: await readTrainingFile(resolve(baseDir, source.file), { minRows: 1 }), how: 'local' };
  if ('organism' in source) {
    const rows = fineTuningDataset(source.organism as FineTuningDataset, { seed: source.seed, count: source.rows });
    const text = rows.map((r) => JSON.stringify({ messages: r.messages.map((m) => ({ role: m.role, content: m.content })) })).join('\n') + '\n';
    const path = join(cacheDir(), `organism-${source.organism}-${sha256(text).slice(0, 16)}.jsonl`);
    if (!existsSync(path)) await writeFileAtomic(path, text);
    return { name, file: await readTrainingFile(path, { minRows: 1 }), how: 'local' };
  }
  const path = join(cacheDir(), `${source.sha256}.jsonl`);
  if (existsSync(path) && sha256(readFileSync(path)) === source.sha256) return { name, file: await readTrainingFile(path, { minRows: 1 }), how: 'cached' };
  const doFetch = options.fetch ?? fetch;
  let bytes: Buffer;
  try {
    const res = await doFetch(source.url, { redirect: 'follow', ...(options.signal ? { signal: options.signal } : {}) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bytes = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    throw new Error(`dataset "${name}": cannot fetch ${source.url} (${err instanceof Error ? err.message : String(err)}); check the URL and the network, or download it and use {file: PATH}`);
  }
  const got = sha256(bytes);
  if (got !== source.sha256) {
    throw new Error(`dataset "${name}": ${source.url} has sha256 ${got}, not the pinned ${source.sha256}; the file changed upstream or the URL is wrong: check it, then pin the new hash`);
  }
  // The bytes as fetched (the hash is of them), through a rename so a reader never sees half a file.
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
  return { name, file: await readTrainingFile(path, { minRows: 1 }), how: 'fetched' };
}

/** The rows of a checked training file, for the organisms' trainer (user and assistant turns only). */
export function chatRows(file: TrainingFile): ChatRow[] {
  return file.bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const row = JSON.parse(line) as { messages: { role: string; content: string }[] };
      return { messages: row.messages.filter((m) => m.role === 'user' || m.role === 'assistant').map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content })) };
    });
}
