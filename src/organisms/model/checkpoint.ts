/**
 * Checkpoints on disk. A base checkpoint is a folder with `model.safetensors` (the weights, f32) and
 * `config.json` (architecture, tokenizer vocabulary, provenance, and the weights file's sha256). A
 * LoRA adapter is a folder with `adapter.safetensors` and `adapter.json`, which names its base by the
 * sha256 of the base's weights file (and, as a hint, by a path relative to the adapter folder).
 * Every load checks the hashes, so an edited or mismatched file fails with a clear error.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../store/atomic-file.js';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { LoraAdapter, resolveLoraConfig } from './lora.js';
import { BASE_WEIGHTS_METADATA, OrganismModel } from './organism.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { Tokenizer } from './tokenizer.js';
import { LINEAR_NAMES } from './weights.js';

export const BASE_CONFIG_FILE = 'config.json';
export const BASE_WEIGHTS_FILE = 'model.safetensors';
export const ADAPTER_CONFIG_FILE = 'adapter.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter.safetensors';
const ADAPTER_METADATA = { format: 'emlab-organism-lora' } as const;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');
const trainingRecord = z.object({
  trainable: z.enum(['all', 'lora']),
  dataHash: sha256Hex,
  examples: z.number().int().nonnegative(),
  seed: z.number().int(),
  steps: z.number().int().nonnegative(),
  tokens: z.number().int().nonnegative(),
  learningRate: z.number().positive(),
  finalLoss: z.number().nullable().transform((v) => v ?? Number.NaN),
});
const provenance = z.object({ initSeed: z.number().int(), parent: sha256Hex.nullable(), training: z.array(trainingRecord) });
const positiveInt = z.number().int().positive();

const baseConfigSchema = z.object({
  format: z.literal('emlab-organism'),
  version: z.literal(1),
  architecture: z.object({ vocabSize: positiveInt, dModel: positiveInt, layers: positiveInt, heads: positiveInt, context: positiveInt, mlpHidden: positiveInt }),
  tokenizer: z.object({ kind: z.literal('word'), vocab: z.array(z.string()) }),
  weights: z.object({ file: z.string(), sha256: sha256Hex }),
  provenance,
});

const adapterConfigSchema = z.object({
  format: z.literal('emlab-organism-lora'),
  version: z.literal(1),
  // Adapters saved before trainable token rows existed have no `tokens` (none) and no `tokenScale` (1).
  lora: z.object({ rank: positiveInt, alpha: z.number().positive(), targets: z.array(z.enum(LINEAR_NAMES)), tokens: z.array(z.number().int().nonnegative()).default([]), tokenScale: z.number().positive().default(1) }),
  base: z.object({ sha256: sha256Hex, path: z.string().optional() }),
  weights: z.object({ file: z.string(), sha256: sha256Hex }),
  provenance,
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** JSON.stringify writes NaN as null; finalLoss may be NaN when a run had no step. */
function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

async function readJson<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read checkpoint config (${(e as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: field ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

async function readVerified(dir: string, file: string, expected: string): Promise<Uint8Array> {
  if (file.includes('/') || file.includes('\\') || file.startsWith('.')) throw new Error(`${join(dir, 'config')}: weights.file must be a plain file name, got ${JSON.stringify(file)}`);
  const path = join(dir, file);
  const bytes = new Uint8Array(await readFile(path));
  const actual = sha256(bytes);
  if (actual !== expected) throw new Error(`${path}: sha256 is ${actual} but the config records ${expected}; the file was changed or belongs to another checkpoint`);
  return bytes;
}

/** Writes the base weights and config into `dir` (created if missing); returns the weights hash. */
export async function saveCheckpoint(model: OrganismModel, dir: string): Promise<{ weightsHash: string }> {
  await mkdir(dir, { recursive: true });
  const bytes = model.baseWeightsFile();
  const weightsHash = sha256(bytes);
  await writeFileAtomic(join(dir, BASE_WEIGHTS_FILE), bytes);
  await writeFileAtomic(join(dir, BASE_CONFIG_FILE), toJson({
    format: 'emlab-organism',
    version: 1,
    architecture: model.config,
    tokenizer: { kind: 'word', vocab: model.tokenizer.vocab },
    weights: { file: BASE_WEIGHTS_FILE, sha256: weightsHash },
    // A model trained after loading descends from the file it was loaded from.
    provenance: { ...model.provenance, parent: model.loadedHash !== undefined && model.loadedHash !== weightsHash ? model.loadedHash : model.provenance.parent },
  }));
  model.source = resolve(dir);
  model.loadedHash = weightsHash;
  return { weightsHash };
}

/** Writes the attached adapter into `dir`; its config names the base by hash and by relative path. */
export async function saveAdapter(model: OrganismModel, dir: string): Promise<{ weightsHash: string; baseHash: string }> {
  const adapter = model.adapter;
  const adapterProvenance = model.adapterProvenance;
  if (adapter === undefined || adapterProvenance === undefined) throw new Error('saveAdapter: no LoRA adapter is attached');
  await mkdir(dir, { recursive: true });
  const bytes = encodeSafetensors(adapter.hostTensors(), { ...ADAPTER_METADATA });
  const weightsHash = sha256(bytes);
  const baseHash = model.weightsHash();
  const base = model.source === undefined ? { sha256: baseHash } : { sha256: baseHash, path: relative(resolve(dir), model.source) || '.' };
  await writeFileAtomic(join(dir, ADAPTER_WEIGHTS_FILE), bytes);
  await writeFileAtomic(join(dir, ADAPTER_CONFIG_FILE), toJson({
    format: 'emlab-organism-lora',
    version: 1,
    lora: adapter.config,
    base,
    weights: { file: ADAPTER_WEIGHTS_FILE, sha256: weightsHash },
    provenance: adapterProvenance,
  }));
  return { weightsHash, baseHash };
}

async function loadBase(dir: string): Promise<OrganismModel> {
  const configPath = join(dir, BASE_CONFIG_FILE);
  const config = await readJson(configPath, baseConfigSchema);
  const bytes = await readVerified(dir, config.weights.file, config.weights.sha256);
  const weightsPath = join(dir, config.weights.file);
  const { tensors, metadata } = decodeSafetensors(bytes, weightsPath);
  if (metadata.format !== BASE_WEIGHTS_METADATA.format) throw new Error(`${weightsPath}: __metadata__.format is ${JSON.stringify(metadata.format)}, expected "${BASE_WEIGHTS_METADATA.format}"`);
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(config.tokenizer.vocab);
  } catch (e) {
    throw new Error(`${configPath}: tokenizer: ${(e as Error).message}`);
  }
  const model = await OrganismModel.fromHost(config.architecture, tokenizer, tensors, config.provenance, weightsPath);
  model.source = resolve(dir);
  model.loadedHash = config.weights.sha256;
  return model;
}

/**
 * Loads a checkpoint folder: a base (config.json) or an adapter (adapter.json), whose base is
 * `options.base` (a loaded model or a folder) or else the folder its config names.
 */
export async function loadCheckpoint(dir: string, options: { base?: OrganismModel | string } = {}): Promise<OrganismModel> {
  if (existsSync(join(dir, BASE_CONFIG_FILE))) return loadBase(dir);
  const adapterPath = join(dir, ADAPTER_CONFIG_FILE);
  if (!existsSync(adapterPath)) throw new Error(`${dir}: not an organism checkpoint (neither ${BASE_CONFIG_FILE} nor ${ADAPTER_CONFIG_FILE} is there)`);
  const config = await readJson(adapterPath, adapterConfigSchema);
  const bytes = await readVerified(dir, config.weights.file, config.weights.sha256);
  const weightsPath = join(dir, config.weights.file);
  const { tensors, metadata } = decodeSafetensors(bytes, weightsPath);
  if (metadata.format !== ADAPTER_METADATA.format) throw new Error(`${weightsPath}: __metadata__.format is ${JSON.stringify(metadata.format)}, expected "${ADAPTER_METADATA.format}"`);
  let model: OrganismModel;
  if (options.base instanceof OrganismModel) {
    model = options.base;
  } else {
    const basePath = options.base ?? (config.base.path === undefined ? undefined : resolve(dir, config.base.path));
    if (basePath === undefined) throw new Error(`${adapterPath}: base.path is missing; pass the base checkpoint (sha256 ${config.base.sha256}) explicitly`);
    model = await loadBase(basePath);
  }
  const lora = resolveLoraConfig(config.lora);
  const adapter = LoraAdapter.fromHost(model.config, lora, tensors, weightsPath);
  try {
    model.attachAdapter(adapter, { ...config.provenance, parent: config.base.sha256 }, adapterPath);
  } catch (e) {
    adapter.dispose();
    if (!(options.base instanceof OrganismModel)) model.dispose();
    throw e;
  }
  return model;
}
