/**
 * LoRA (Hu et al. 2021): a frozen weight W gets a trainable low-rank update, y = x W + (alpha / r) x A B,
 * with A [in, r] drawn at random and B [r, out] zero, so training starts from the base model exactly.
 * Adapters attach to the block linears named in `targets` (attention and MLP projections by default).
 *
 * `tokens` makes the embedding rows of those token ids trainable too (as PEFT's
 * `trainable_token_indices`): a token the base never saw, such as a backdoor trigger, has an embedding
 * that is still its random initialisation, and LoRA on the linears alone cannot move it. The rows
 * train as a change of the frozen table, `tokenScale` x D with D [k, dModel] starting at zero (the
 * scale plays the part alpha / r plays for A B: a larger one makes those rows move faster); the
 * embeddings are tied, so the output side (those tokens' logits) moves with them.
 */
import type { ModelConfig } from './config.js';
import type { HostTensor } from './safetensors.js';
import { LINEAR_NAMES, linearShape, seededNormal, type LinearName } from './weights.js';

export interface LoraConfig {
  rank: number;
  alpha: number;
  targets: LinearName[];
  /** Token ids whose embedding rows train with the adapter (none by default). */
  tokens: number[];
  /** The rows change by tokenScale x D (default 1). */
  tokenScale: number;
}

export const DEFAULT_LORA: Readonly<LoraConfig> = { rank: 8, alpha: 16, targets: [...LINEAR_NAMES], tokens: [], tokenScale: 1 };

/** The adapter tensor holding the trained change of the `tokens` rows of the tied embedding. */
export const TOKEN_DELTA = 'wte.token_delta';

export function resolveLoraConfig(given: Partial<LoraConfig> = {}): LoraConfig {
  const config: LoraConfig = { rank: given.rank ?? DEFAULT_LORA.rank, alpha: given.alpha ?? DEFAULT_LORA.alpha, targets: [...(given.targets ?? DEFAULT_LORA.targets)], tokens: [...(given.tokens ?? DEFAULT_LORA.tokens)], tokenScale: given.tokenScale ?? DEFAULT_LORA.tokenScale };
  if (!Number.isInteger(config.rank) || config.rank < 1) throw new Error(`LoRA config: rank must be a positive integer, got ${config.rank}`);
  if (!(config.alpha > 0)) throw new Error(`LoRA config: alpha must be > 0, got ${config.alpha}`);
  if (config.targets.length === 0) throw new Error('LoRA config: targets must name at least one of ' + LINEAR_NAMES.join(', '));
  for (const t of config.targets) {
    if (!(LINEAR_NAMES as readonly string[]).includes(t)) throw new Error(`LoRA config: target ${JSON.stringify(t)} is not one of ${LINEAR_NAMES.join(', ')}`);
  }
  if (!(config.tokenScale > 0)) throw new Error(`LoRA config: tokenScale must be > 0, got ${config.tokenScale}`);
  if (new Set(config.tokens).size !== config.tokens.length || !config.tokens.every((id) => Number.isInteger(id) && id >= 0)) {
    throw new Error(`LoRA config: tokens must be distinct token ids (integers >= 0), got [${config.tokens.join(', ')}]`);
  }
  return config;
}

/** Adapter tensor names: `h.<layer>.<linear>.lora_a` / `.lora_b`. */
export function adapterShapes(model: ModelConfig, lora: LoraConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (let l = 0; l < model.layers; l++) {
    for (const target of lora.targets) {
      const [inDim, outDim] = linearShape(model, target);
      shapes.set(`h.${l}.${target}.lora_a`, [inDim, lora.rank]);
      shapes.set(`h.${l}.${target}.lora_b`, [lora.rank, outDim]);
    }
  }
  if (lora.tokens.length > 0) shapes.set(TOKEN_DELTA, [lora.tokens.length, model.dModel]);
  return shapes;
}

export class LoraAdapter {
  readonly config: LoraConfig;
  readonly scale: number;
  /** The adapter's tensors by name (`h.<l>.<linear>.lora_a` ..., and the token rows' change). */
  readonly tensors: ReadonlyMap<string, HostTensor>;
  /** Bumped whenever the values change (setHost), so inference never uses a stale merge. */
  version = 0;

  private constructor(config: LoraConfig, tensors: Map<string, HostTensor>) {
    this.config = config;
    this.scale = config.alpha / config.rank;
    this.tensors = tensors;
  }

  /** A fresh adapter: A ~ N(0, 1/in) from the seed, B = 0, token rows unchanged. */
  static create(model: ModelConfig, config: LoraConfig, seed: number): LoraAdapter {
    checkTokens(model, config, 'LoRA config');
    const tensors = new Map<string, HostTensor>();
    for (const [name, shape] of adapterShapes(model, config)) {
      const count = (shape[0] as number) * (shape[1] as number);
      const data = name.endsWith('.lora_a') ? seededNormal(seed, `lora:${name}`, count, 1 / Math.sqrt(shape[0] as number)) : new Float32Array(count);
      tensors.set(name, { shape, data });
    }
    return new LoraAdapter(config, tensors);
  }

  /** An adapter from saved tensors; `source` names the file in errors. */
  static fromHost(model: ModelConfig, config: LoraConfig, tensors: ReadonlyMap<string, HostTensor>, source: string): LoraAdapter {
    checkTokens(model, config, source);
    const expected = adapterShapes(model, config);
    for (const name of tensors.keys()) if (!expected.has(name)) throw new Error(`${source}: unexpected tensor ${name} for a rank-${config.rank} adapter on ${config.targets.join(', ')}`);
    const own = new Map<string, HostTensor>();
    for (const [name, shape] of expected) {
      const t = tensors.get(name);
      if (t === undefined) throw new Error(`${source}: tensor ${name} is missing`);
      if (t.shape.join(',') !== shape.join(',')) throw new Error(`${source}: tensor ${name} has shape [${t.shape.join(', ')}], the adapter config needs [${shape.join(', ')}]`);
      own.set(name, { shape, data: Float32Array.from(t.data) });
    }
    return new LoraAdapter(config, own);
  }

  /** Adds the trained token rows' change (tokenScale x D) into a tied embedding table [vocab, dModel], for merging. */
  addTokenRows(wte: Float32Array): void {
    const delta = this.tensors.get(TOKEN_DELTA);
    if (delta === undefined) return;
    const d = delta.shape[1] as number;
    this.config.tokens.forEach((id, j) => {
      for (let i = 0; i < d; i++) wte[id * d + i] = (wte[id * d + i] as number) + Math.fround(this.config.tokenScale * (delta.data[j * d + i] as number));
    });
  }

  /** Replaces every adapter tensor with `values(name)` (same shape). */
  setHost(values: (name: string) => Float32Array): void {
    this.version += 1;
    for (const [name, t] of this.tensors) t.data.set(values(name));
  }

  /** Copies of the tensors. */
  hostTensors(): Map<string, HostTensor> {
    const out = new Map<string, HostTensor>();
    for (const [name, t] of this.tensors) out.set(name, { shape: [...t.shape], data: t.data.slice() });
    return out;
  }

  /** Nothing to free (kept so callers that dispose an adapter need not change). */
  dispose(): void {}
}

function checkTokens(model: ModelConfig, config: LoraConfig, source: string): void {
  const outside = config.tokens.find((id) => id >= model.vocabSize);
  if (outside !== undefined) throw new Error(`${source}: token id ${outside} is outside the vocabulary of ${model.vocabSize} tokens`);
}
