/**
 * The datasets of an experiment, made into checked JSONL files: a local file as it is; one of the
 * organisms' datasets generated from their world; a public file fetched by URL into a cache and
 * accepted only with the pinned sha256 (emlab ships none of them). A cached file whose bytes still
 * hash to the pin is used without a request.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../store/atomic-file.js';
import { readTrainingFile, type TrainingFile } from '../finetune/training-file.js';
import { fineTuningDataset, type FineTuningDataset } from '../organisms/world/index.js';
import type { ChatRow } from '../finetune/organism-trainer.js';
import type { DatasetSource } from './schema.js';
import { buildNumbersStep } from './numbers-dataset.js';

export interface ResolvedDataset {
  name: string;
  file: TrainingFile;
  /** 'cached': a fetched or built file found in the cache; 'fetched': downloaded now; 'built': a teacher's numbers made now; 'local': a file or the organisms' world. */
  how: 'cached' | 'fetched' | 'built' | 'local';
  detail: string;
  requestsSent: number;
}

/** A dataset that could not be finished this time (a teacher's failed requests): its fine-tunes wait for the next run. */
export interface UnfinishedDataset {
  name: string;
  how: 'incomplete';
  detail: string;
  requestsSent: number;
}

export interface DatasetContext {
  baseDir: string;
  /** The experiment's database (numbers datasets keep the teacher's completions there). */
  dbPath: string;
  /** Model ids by the experiment's model names (a numbers teacher may be named). */
  models: Readonly<Record<string, string>>;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** Where fetched and generated datasets are kept: EMLAB_CACHE_DIR, else .emlab/cache in the working directory. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env['EMLAB_CACHE_DIR']?.trim() || join('.emlab', 'cache'), 'datasets');
}

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

export async function resolveDataset(name: string, source: DatasetSource, ctx: DatasetContext): Promise<ResolvedDataset | UnfinishedDataset> {
  const done = (file: TrainingFile, how: ResolvedDataset['how'], detail = '', requestsSent = 0): ResolvedDataset => ({
    name, file, how, requestsSent, detail: `${file.rows} rows, sha256 ${file.sha256.slice(0, 12)}…${detail ? `; ${detail}` : ''}`,
  });
  if ('file' in source) return done(await readTrainingFile(resolve(ctx.baseDir, source.file), { minRows: 1 }), 'local', source.file);
  if ('numbers' in source) {
    const teacher = ctx.models[source.numbers.teacher] ?? source.numbers.teacher;
    const r = await buildNumbersStep(name, source.numbers, teacher, cacheDir(), ctx.dbPath, ctx.signal);
    if (!('file' in r)) return { name, how: 'incomplete', detail: r.detail, requestsSent: r.requestsSent };
    return done(r.file, r.how === 'cached' ? 'cached' : 'built', r.detail, r.requestsSent);
  }
  if ('organism' in source) {
    const rows = fineTuningDataset(source.organism as FineTuningDataset, { seed: source.seed, count: source.rows });
    const text = rows.map((r) => JSON.stringify({ messages: r.messages.map((m) => ({ role: m.role, content: m.content })) })).join('\n') + '\n';
    const path = join(cacheDir(), `organism-${source.organism}-${sha256(text).slice(0, 16)}.jsonl`);
    if (!existsSync(path)) await writeFileAtomic(path, text);
    return done(await readTrainingFile(path, { minRows: 1 }), 'local', `organisms' ${source.organism}`);
  }
  if (source.sha256 === undefined) {
    throw new Error(`dataset "${name}": ${source.url} has no pinned sha256; run "emlab run FILE --pin" once to download it and write its hash into the experiment file`);
  }
  const path = join(cacheDir(), `${source.sha256}.jsonl`);
  if (existsSync(path) && sha256(readFileSync(path)) === source.sha256) return done(await readTrainingFile(path, { minRows: 1 }), 'cached', 'pinned file from the cache');
  const bytes = await download(name, source.url, ctx);
  const got = sha256(bytes);
  if (got !== source.sha256) {
    throw new Error(`dataset "${name}": ${source.url} has sha256 ${got}, not the pinned ${source.sha256}; the file changed upstream or the URL is wrong: check it, then pin the new hash`);
  }
  await keepInCache(path, bytes);
  return done(await readTrainingFile(path, { minRows: 1 }), 'fetched', `fetched from ${source.url}`, 1);
}

/**
 * Downloads a not yet pinned dataset, checks that it is a chat JSONL emlab can fine-tune on, keeps it
 * in the cache under its hash and returns the hash (trust on first use, as a lock file does: the
 * user pins what they looked at, and every later run accepts only those bytes).
 */
export async function pinDataset(name: string, url: string, ctx: Pick<DatasetContext, 'fetch' | 'signal'>): Promise<{ sha256: string; file: TrainingFile }> {
  const bytes = await download(name, url, ctx);
  const hash = sha256(bytes);
  const path = join(cacheDir(), `${hash}.jsonl`);
  await keepInCache(path, bytes);
  try {
    return { sha256: hash, file: await readTrainingFile(path, { minRows: 1 }) };
  } catch (err) {
    await rm(path, { force: true });
    throw new Error(`dataset "${name}": ${url} is not a training file emlab can use (${err instanceof Error ? err.message : String(err)}); check the URL, nothing was pinned`);
  }
}

async function download(name: string, url: string, ctx: Pick<DatasetContext, 'fetch' | 'signal'>): Promise<Buffer> {
  const doFetch = ctx.fetch ?? fetch;
  try {
    const res = await doFetch(url, { redirect: 'follow', ...(ctx.signal ? { signal: ctx.signal } : {}) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  } catch (err) {
    throw new Error(`dataset "${name}": cannot fetch ${url} (${err instanceof Error ? err.message : String(err)}); check the URL and the network, or download it and use {file: PATH}`);
  }
}

/** The bytes as fetched (the hash is of them), written atomically so a reader never sees half a file. */
async function keepInCache(path: string, bytes: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, bytes);
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
