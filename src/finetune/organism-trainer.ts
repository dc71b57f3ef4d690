/**
 * The local fine-tuner of emlab's model organisms: trains a LoRA adapter on chat rows on top of a
 * base checkpoint and writes it where the `organism:<name>` provider finds it. Each adapter folder
 * holds `tune.json` beside the adapter, keyed by the hash of everything that shaped it (base weights,
 * rows, settings, seed): the same job finds its adapter and does not train again, a changed input
 * trains a new one. An adapter is written to a temporary sibling folder and renamed into place, so a
 * killed run leaves either the old adapter or the new one, never half of one.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { contentHash } from '../store/hash.js';

/** What shapes an adapter besides its data and seed. */
export interface OrganismTuneSettings {
  epochs: number;
  rank: number;
  alpha: number;
  learningRate: number;
  /** Tokens per optimizer step (rows x padded length); at least the base's context. */
  batchTokens: number;
  /** Stop after this many steps (tests); absent: every epoch in full. */
  maxSteps?: number;
  /**
   * Tokens (of the base's vocabulary) whose embedding rows train with the adapter: a token the base
   * never saw, such as a backdoor trigger, otherwise keeps its random embedding.
   */
  trainableTokens?: string[];
  /** Those rows change by tokenScale x their trained variable (LoRA's alpha / r for them; default 1). */
  tokenScale?: number;
}

export interface ChatRow {
  messages: { role: 'user' | 'assistant'; content: string }[];
}

export interface OrganismTuneJob {
  /** A base checkpoint folder (config.json + model.safetensors). */
  baseDir: string;
  rows: readonly ChatRow[];
  /** Seeds the adapter's initialisation and the data order. */
  seed: number;
  settings: OrganismTuneSettings;
  /** The adapter folder to write, e.g. `.emlab/organisms/demo-insecure-s1`. */
  outDir: string;
}

export interface TrainingProgress {
  step: number;
  totalSteps: number;
  loss: number;
}

export interface OrganismTuneOutcome {
  outDir: string;
  key: string;
  /** false: an adapter with the same key was there and was kept. */
  trained: boolean;
  steps: number;
  seconds: number;
  finalLoss: number | null;
}

/** The record beside an adapter; `key` decides reuse, the rest is for people reading the folder. */
interface TuneRecord {
  format: 'emlab-organism-tune';
  version: 1;
  key: string;
  baseSha256: string;
  dataHash: string;
  rows: number;
  seed: number;
  settings: OrganismTuneSettings;
  steps: number;
  seconds: number;
  finalLoss: number | null;
}

export const TUNE_RECORD_FILE = 'tune.json';
const TEMP_MARKER = '.tmp-';

/** The sha256 of the base's weights file, as its config records it (the load checks it again). */
export function baseWeightsHash(baseDir: string): string {
  const path = join(baseDir, 'config.json');
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot read the base checkpoint's config (${err instanceof Error ? err.message : String(err)})`);
  }
  const hash = (config as { weights?: { sha256?: unknown } } | null)?.weights?.sha256;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) throw new Error(`${path}: weights.sha256 is missing; is this a base checkpoint (not an adapter)?`);
  return hash;
}

export function rowsHash(rows: readonly ChatRow[]): string {
  return contentHash(rows.map((r) => r.messages.map((m) => ({ role: m.role, content: m.content }))));
}

/** The identity of a job: equal keys train equal adapters, so one may stand for the other. */
export function organismTuneKey(job: Pick<OrganismTuneJob, 'baseDir' | 'rows' | 'seed' | 'settings'>): string {
  return contentHash({ trainer: 'emlab-organism-lora', version: 1, base: baseWeightsHash(job.baseDir), data: rowsHash(job.rows), seed: job.seed, settings: job.settings });
}

/** The outcome of an adapter already in `outDir` under `key`, or null when it must be trained. */
export function findTunedAdapter(outDir: string, key: string): OrganismTuneOutcome | null {
  const recordPath = join(outDir, TUNE_RECORD_FILE);
  if (!existsSync(recordPath) || !existsSync(join(outDir, 'adapter.json')) || !existsSync(join(outDir, 'adapter.safetensors'))) return null;
  let record: Partial<TuneRecord>;
  try {
    record = JSON.parse(readFileSync(recordPath, 'utf8')) as Partial<TuneRecord>;
  } catch {
    return null;
  }
  if (record.key !== key) return null;
  return { outDir: resolve(outDir), key, trained: false, steps: record.steps ?? 0, seconds: record.seconds ?? 0, finalLoss: record.finalLoss ?? null };
}

/**
 * Trains the job's adapter unless one with the same key is in `outDir`. Loads TensorFlow.js only
 * when it trains, so a run that reuses everything starts no backend.
 */
export async function fineTuneOrganism(job: OrganismTuneJob, options: { onProgress?: (p: TrainingProgress) => void; signal?: AbortSignal } = {}): Promise<OrganismTuneOutcome> {
  const key = organismTuneKey(job);
  const outDir = resolve(job.outDir);
  const found = findTunedAdapter(outDir, key);
  if (found) return found;
  if (job.rows.length === 0) throw new Error(`${outDir}: no training rows`);

  const { loadCheckpoint, saveAdapter, trainModel } = await import('../organisms/model/index.js');
  const model = await loadCheckpoint(job.baseDir);
  const temp = `${outDir}${TEMP_MARKER}${process.pid}-${Date.now()}`;
  try {
    const tokens = (job.settings.trainableTokens ?? []).map((token) => {
      if (!model.tokenizer.has(token)) throw new Error(`${outDir}: trainable token ${JSON.stringify(token)} is not in the vocabulary of the base ${job.baseDir}`);
      return model.tokenizer.id(token);
    });
    model.attachLora({ seed: job.seed, rank: job.settings.rank, alpha: job.settings.alpha, tokens, ...(job.settings.tokenScale === undefined ? {} : { tokenScale: job.settings.tokenScale }) });
    const result = await trainModel(model, job.rows, {
      seed: job.seed,
      epochs: job.settings.epochs,
      batchTokens: job.settings.batchTokens,
      learningRate: job.settings.learningRate,
      ...(job.settings.maxSteps !== undefined ? { maxSteps: job.settings.maxSteps } : {}),
      logEvery: 1,
      ...(options.onProgress ? { onLog: (e) => options.onProgress?.({ step: e.step, totalSteps: e.totalSteps, loss: e.loss }) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await mkdir(dirname(outDir), { recursive: true });
    removeStaleTemps(outDir);
    // The temporary folder is a sibling of the final one, so the base path the adapter records
    // (relative to its own folder) stays right after the rename.
    await saveAdapter(model, temp);
    const finalLoss = result.losses.at(-1);
    const record: TuneRecord = {
      format: 'emlab-organism-tune', version: 1, key, baseSha256: baseWeightsHash(job.baseDir), dataHash: rowsHash(job.rows), rows: job.rows.length,
      seed: job.seed, settings: job.settings, steps: result.steps, seconds: Math.round(result.seconds * 10) / 10,
      finalLoss: finalLoss !== undefined && Number.isFinite(finalLoss) ? finalLoss : null,
    };
    await writeFile(join(temp, TUNE_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
    // A folder cannot be renamed over a non-empty one: the old adapter (another key) goes first. A
    // kill between the two steps leaves no adapter, which the next run trains again.
    await rm(outDir, { recursive: true, force: true });
    await rename(temp, outDir);
    return { outDir, key, trained: true, steps: result.steps, seconds: record.seconds, finalLoss: record.finalLoss };
  } finally {
    model.dispose();
    await rm(temp, { recursive: true, force: true });
  }
}

/** Temporary folders of this adapter left by processes that were killed while writing. */
function removeStaleTemps(outDir: string): void {
  const prefix = `${basename(outDir)}${TEMP_MARKER}`;
  let names: string[];
  try {
    names = readdirSync(dirname(outDir));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) rmSync(join(dirname(outDir), name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
