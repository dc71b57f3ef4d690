/**
 * An organism: tokenizer, weights (float32 arrays), an optional LoRA adapter, and where it came from.
 * Training, generation, scoring and checkpoints live in their own files and take an OrganismModel.
 */
import { createHash } from 'node:crypto';
import { resolveModelConfig, validateModelConfig, type ModelConfig } from './config.js';
import { LoraAdapter, resolveLoraConfig, type LoraConfig } from './lora.js';
import { encodeSafetensors, type HostTensor } from './safetensors.js';
import { Tokenizer } from './tokenizer.js';
import { LINEAR_NAMES, addLowRank, initialValues, linearShape, weightSpecs, type WeightSpec } from './weights.js';

/** One call of `trainModel`, as recorded in a checkpoint. */
export interface TrainingRecord {
  trainable: 'all' | 'lora';
  /** sha256 of the training examples (canonical JSON). */
  dataHash: string;
  examples: number;
  seed: number;
  steps: number;
  tokens: number;
  learningRate: number;
  finalLoss: number;
}

export interface Provenance {
  /** Seed of the initial weights (of the adapter, for an adapter). */
  initSeed: number;
  /** sha256 of the weights this model was trained from (null: trained from its initialisation). */
  parent: string | null;
  /** Every training run since initialisation, oldest first (the parent's included). */
  training: TrainingRecord[];
}

/** The safetensors metadata of a base weights file (fixed, so equal weights give equal hashes). */
export const BASE_WEIGHTS_METADATA = { format: 'emlab-organism' } as const;

export class OrganismModel {
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  readonly specs: readonly WeightSpec[];
  provenance: Provenance;
  /** The checkpoint folder this model was loaded from or last saved to (adapters record it relative to themselves). */
  source?: string;
  /** sha256 of the weights file this model was loaded from or last saved to. */
  loadedHash?: string;
  private readonly weights: Map<string, Float32Array>;
  private adapterState: { adapter: LoraAdapter; provenance: Provenance } | undefined;
  private hashCache: { version: number; hash: string } | undefined;
  /** Bumped whenever base weights change, so the cached hash is never stale. */
  private version = 0;
  private adapterVersion = 0;
  private disposed = false;

  private constructor(config: ModelConfig, tokenizer: Tokenizer, weights: Map<string, Float32Array>, provenance: Provenance) {
    this.config = config;
    this.tokenizer = tokenizer;
    this.specs = weightSpecs(config);
    this.weights = weights;
    this.provenance = provenance;
  }

  /** A freshly initialised model over the world's vocabulary (or the tokenizer given). */
  static async create(options: { seed: number; architecture?: Partial<Omit<ModelConfig, 'vocabSize'>>; tokenizer?: Tokenizer }): Promise<OrganismModel> {
    if (!Number.isSafeInteger(options.seed)) throw new Error(`organism: seed must be an integer, got ${options.seed}`);
    const tokenizer = options.tokenizer ?? Tokenizer.forWorld();
    const config = resolveModelConfig({ ...options.architecture, vocabSize: tokenizer.size });
    const weights = new Map<string, Float32Array>();
    for (const spec of weightSpecs(config)) weights.set(spec.name, initialValues(spec, options.seed));
    return new OrganismModel(config, tokenizer, weights, { initSeed: options.seed, parent: null, training: [] });
  }

  /** A model from host tensors (a checkpoint); every expected tensor must be there with its shape. */
  static async fromHost(config: ModelConfig, tokenizer: Tokenizer, tensors: ReadonlyMap<string, HostTensor>, provenance: Provenance, source: string): Promise<OrganismModel> {
    validateModelConfig(config);
    if (config.vocabSize !== tokenizer.size) throw new Error(`${source}: vocabSize ${config.vocabSize} differs from the tokenizer's ${tokenizer.size} tokens`);
    const specs = weightSpecs(config);
    const known = new Set(specs.map((s) => s.name));
    for (const name of tensors.keys()) if (!known.has(name)) throw new Error(`${source}: unexpected tensor ${name} for this architecture`);
    const weights = new Map<string, Float32Array>();
    for (const spec of specs) {
      const t = tensors.get(spec.name);
      if (t === undefined) throw new Error(`${source}: tensor ${spec.name} is missing`);
      if (t.shape.join(',') !== spec.shape.join(',')) throw new Error(`${source}: tensor ${spec.name} has shape [${t.shape.join(', ')}], the config needs [${spec.shape.join(', ')}]`);
      weights.set(spec.name, Float32Array.from(t.data));
    }
    return new OrganismModel(config, tokenizer, weights, provenance);
  }

  get adapter(): LoraAdapter | undefined {
    return this.adapterState?.adapter;
  }

  get adapterProvenance(): Provenance | undefined {
    return this.adapterState?.provenance;
  }

  /** Attaches a fresh LoRA adapter (base weights stay frozen while it trains). */
  attachLora(options: Partial<LoraConfig> & { seed: number }): LoraAdapter {
    this.checkAlive();
    this.adapterVersion += 1;
    if (this.adapterState !== undefined) throw new Error('organism: a LoRA adapter is already attached; detach or merge it first');
    const adapter = LoraAdapter.create(this.config, resolveLoraConfig(options), options.seed);
    this.adapterState = { adapter, provenance: { initSeed: options.seed, parent: this.weightsHash(), training: [] } };
    return adapter;
  }

  /** Attaches a loaded adapter; `provenance.parent` must be this model's weights hash. */
  attachAdapter(adapter: LoraAdapter, provenance: Provenance, source: string): void {
    this.checkAlive();
    this.adapterVersion += 1;
    if (this.adapterState !== undefined) throw new Error('organism: a LoRA adapter is already attached; detach or merge it first');
    const hash = this.weightsHash();
    if (provenance.parent !== hash) throw new Error(`${source}: the adapter was trained on base weights ${provenance.parent ?? '(none)'}, this base is ${hash}; load the base checkpoint it names`);
    this.adapterState = { adapter, provenance };
  }

  detachLora(): LoraAdapter | undefined {
    this.adapterVersion += 1;
    const adapter = this.adapterState?.adapter;
    this.adapterState = undefined;
    return adapter;
  }

  /** Folds the adapter into the base weights (W += alpha/r A B, trained token rows into wte) and drops it; its training joins the base's history. */
  mergeLora(): void {
    this.checkAlive();
    const state = this.adapterState;
    if (state === undefined) throw new Error('organism: no LoRA adapter to merge');
    const { adapter } = state;
    const tensors = adapter.hostTensors();
    for (let l = 0; l < this.config.layers; l++) {
      for (const linear of LINEAR_NAMES) {
        const name = `h.${l}.${linear}`;
        const a = tensors.get(`${name}.lora_a`);
        const b = tensors.get(`${name}.lora_b`);
        if (a === undefined || b === undefined) continue;
        const [inDim, outDim] = linearShape(this.config, linear);
        addLowRank(this.variable(name), a.data, b.data, inDim, outDim, adapter.config.rank, adapter.scale);
      }
    }
    adapter.addTokenRows(this.variable('wte'));
    this.provenance = { ...this.provenance, training: [...this.provenance.training, ...state.provenance.training] };
    state.adapter.dispose();
    this.adapterState = undefined;
    this.markWeightsChanged();
  }

  /** The base weights as host arrays (copies), by name. */
  hostWeights(): Map<string, HostTensor> {
    this.checkAlive();
    const out = new Map<string, HostTensor>();
    for (const spec of this.specs) out.set(spec.name, { shape: [...spec.shape], data: this.variable(spec.name).slice() });
    return out;
  }

  /** Replaces every base weight with `values(name)` (same shape); counts as a change of the weights. */
  setHostWeights(values: (name: string) => Float32Array): void {
    this.checkAlive();
    for (const [name, v] of this.weights) v.set(values(name));
    this.markWeightsChanged();
  }

  /** The bytes of the base weights file: deterministic for given weights. */
  baseWeightsFile(): Uint8Array {
    return encodeSafetensors(this.hostWeights(), { ...BASE_WEIGHTS_METADATA });
  }

  /** sha256 (hex) of the base weights file: the identity adapters and children refer to. */
  weightsHash(): string {
    if (this.hashCache?.version !== this.version) this.hashCache = { version: this.version, hash: createHash('sha256').update(this.baseWeightsFile()).digest('hex') };
    return this.hashCache.hash;
  }

  /** Called by training after base weights changed. */
  markWeightsChanged(): void {
    this.version += 1;
  }

  /** Changes whenever what inference computes may change (base weights, or the adapter attached or its values). */
  get revision(): string {
    return `${this.version}.${this.adapterVersion}.${this.adapterState?.adapter.version ?? 0}`;
  }

  /** Records a finished training run on the base or, when one is attached, on the adapter. */
  recordTraining(record: TrainingRecord): void {
    if (record.trainable === 'lora') {
      if (this.adapterState === undefined) throw new Error('organism: no adapter to record LoRA training on');
      const p = this.adapterState.provenance;
      this.adapterState.provenance = { ...p, training: [...p.training, record] };
    } else {
      this.provenance = { ...this.provenance, training: [...this.provenance.training, record] };
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.adapterState = undefined;
    this.weights.clear();
    this.disposed = true;
  }

  private variable(name: string): Float32Array {
    const v = this.weights.get(name);
    if (v === undefined) throw new Error(`organism: no weight named ${name}`);
    return v;
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('organism: this model was disposed');
  }
}
