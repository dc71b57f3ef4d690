/**
 * A training session on the engine: weights (and an adapter) copied into one arena with their
 * gradients, AdamW moments and a workspace for the largest micro-batch. Built from plain data
 * (a TrainerSpec), so a worker thread can build a replica; nothing is allocated per step.
 */
import { KernelArena, arenaFloats } from '../../kernels/index.js';
import type { AdamWOptions } from './adamw.js';
import { splitBatch, type Batch } from '../batches.js';
import type { ModelConfig } from '../config.js';
import type { LinearName } from '../weights.js';
import { weightSpecs } from '../weights.js';
import { FlatAdamW, flatClipScale, flatNorm } from './adamw.js';
import { assembleEngineNet, type EngineNet } from './net.js';
import { ParamLayout, type ParamSet } from './params.js';
import { TrainingWorkspace, trainingPass } from './training-pass.js';

export interface AdapterSpec {
  rank: number;
  /** alpha / rank. */
  scale: number;
  targets: readonly LinearName[];
  tokens: readonly number[];
  tokenScale: number;
  /** Tensors by name (lora.ts's names), with shapes. */
  tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>;
}

/** Everything a trainer (or a worker's replica) is built from. */
export interface TrainerSpec {
  config: ModelConfig;
  base: ReadonlyMap<string, { data: Float32Array }>;
  /** Present for LoRA training: then only the adapter trains. */
  adapter?: AdapterSpec;
  microTokens: number;
  adam: AdamWOptions;
  /** A replica computes gradients only: no optimizer moments (default false). */
  gradientsOnly?: boolean;
}

export class EngineTrainer {
  readonly net: EngineNet;
  private readonly arena: KernelArena;
  private readonly base: ParamSet;
  private readonly adapter: ParamSet | undefined;
  /** What trains: the base (full fine-tune) or the adapter. */
  readonly values: ParamSet;
  readonly grads: ParamSet;
  private readonly optimizer: FlatAdamW | undefined;
  private readonly workspace: TrainingWorkspace;
  private readonly microTokens: number;

  constructor(spec: TrainerSpec) {
    const { config, adapter } = spec;
    const baseLayout = new ParamLayout(weightSpecs(config));
    const adapterLayout = adapter === undefined ? undefined : new ParamLayout([...adapter.tensors.entries()].map(([name, t]) => ({ name, shape: t.shape, decay: true })));
    const trained = adapterLayout ?? baseLayout;
    const moments = spec.gradientsOnly === true ? 0 : 2;
    const lora = adapter === undefined ? undefined : { rank: adapter.rank, linears: config.layers * adapter.targets.length };
    const floats = arenaFloats([baseLayout.size, adapterLayout?.size ?? 0, ...Array<number>(1 + moments).fill(trained.size)]) + TrainingWorkspace.floats(config, lora, spec.microTokens);
    this.arena = new KernelArena(floats);
    this.base = baseLayout.alloc(this.arena);
    for (const [name, t] of spec.base) this.base.view(name).set(t.data);
    if (adapter === undefined || adapterLayout === undefined) {
      this.grads = baseLayout.alloc(this.arena);
      this.net = assembleEngineNet(config, this.base, this.grads);
      this.values = this.base;
    } else {
      const values = adapterLayout.alloc(this.arena);
      for (const [name, t] of adapter.tensors) values.view(name).set(t.data);
      this.grads = adapterLayout.alloc(this.arena);
      this.net = assembleEngineNet(config, this.base, undefined, { values, grads: this.grads, rank: adapter.rank, scale: adapter.scale, tokens: adapter.tokens, tokenScale: adapter.tokenScale });
      this.adapter = values;
      this.values = values;
    }
    this.optimizer = moments === 0 ? undefined : new FlatAdamW(this.arena, trained, spec.adam);
    this.workspace = new TrainingWorkspace(this.arena, this.net, spec.microTokens);
    this.microTokens = spec.microTokens;
  }

  /** Loss of a batch (its weighted targets over `lossTokens`, default the batch's own); gradients are left in `grads`. */
  lossAndGradients(batch: Batch, lossTokens = batch.lossTokens): number {
    this.grads.data.fill(0);
    let loss = 0;
    for (const part of splitBatch(batch, this.microTokens)) loss += trainingPass(this.net, this.workspace, part, lossTokens);
    return loss;
  }

  gradientNorm(): number {
    return flatNorm(this.grads.data);
  }

  /** One AdamW step from the current gradients, clipped to a global norm of `gradClip` (0: no clipping). */
  step(learningRate: number, norm: number, gradClip: number): void {
    if (this.optimizer === undefined) throw new Error('engine: a gradients-only replica takes no optimizer step');
    this.optimizer.step(this.values, this.grads, learningRate, gradClip > 0 ? flatClipScale(norm, gradClip) : 1);
  }

  /** The gradient of a named parameter (tests). */
  gradient(name: string): Float32Array {
    return this.grads.view(name);
  }

  /** A trained tensor's current values (a view). */
  trained(name: string): Float32Array {
    return this.values.view(name);
  }
}
