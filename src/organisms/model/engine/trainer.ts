/**
 * A training session on the engine: the model's weights (and adapter) copied into one arena with
 * their gradients, AdamW moments and a workspace for the largest micro-batch; steps run there, and
 * `writeBack` puts the trained values into the model. Nothing is allocated per step.
 */
import type { AdamWOptions } from '../adamw.js';
import { splitBatch, type Batch } from '../batches.js';
import type { OrganismModel } from '../organism.js';
import { weightSpecs } from '../weights.js';
import { FlatAdamW, flatClipScale, flatNorm } from './adamw.js';
import { KernelArena as Arena, arenaFloats } from '../../kernels/index.js';
import { assembleEngineNet, type EngineNet } from './net.js';
import { ParamLayout, type ParamSet } from './params.js';
import { TrainingWorkspace, trainingPass } from './training-pass.js';

export class EngineTrainer {
  readonly net: EngineNet;
  private readonly arena: Arena;
  private readonly base: ParamSet;
  private readonly adapter: ParamSet | undefined;
  /** What trains: the base (full fine-tune) or the adapter. */
  private readonly values: ParamSet;
  private readonly grads: ParamSet;
  private readonly optimizer: FlatAdamW;
  private readonly workspace: TrainingWorkspace;
  private readonly microTokens: number;

  constructor(private readonly model: OrganismModel, trainable: 'all' | 'lora', microTokens: number, adam: AdamWOptions) {
    const config = model.config;
    const baseLayout = new ParamLayout(weightSpecs(config));
    const adapterModel = model.adapter;
    if (trainable === 'lora' && adapterModel === undefined) throw new Error('engine: LoRA training needs an attached adapter');
    const adapterLayout = trainable === 'lora' && adapterModel !== undefined
      ? new ParamLayout([...adapterModel.variables.entries()].map(([name, v]) => ({ name, shape: v.shape, decay: true })))
      : undefined;
    const trainedSize = (adapterLayout ?? baseLayout).size;
    const lora = adapterLayout === undefined || adapterModel === undefined ? undefined : { rank: adapterModel.config.rank, linears: config.layers * adapterModel.config.targets.length };
    const floats = arenaFloats([baseLayout.size, adapterLayout?.size ?? 0, trainedSize, trainedSize, trainedSize]) + TrainingWorkspace.floats(config, lora, microTokens);
    this.arena = new Arena(floats);
    const built = this.assemble(this.arena, baseLayout, adapterLayout, trainable);
    this.net = built.net;
    this.base = built.base;
    this.adapter = built.adapter;
    this.grads = built.grads;
    this.values = built.adapter ?? built.base;
    this.optimizer = new FlatAdamW(this.arena, (adapterLayout ?? baseLayout), adam);
    this.workspace = new TrainingWorkspace(this.arena, this.net, microTokens);
    this.microTokens = microTokens;
    for (const [name, t] of model.hostWeights()) this.base.view(name).set(t.data);
    if (this.adapter !== undefined && adapterModel !== undefined) for (const [name, t] of adapterModel.hostTensors()) this.adapter.view(name).set(t.data);
  }

  private assemble(arena: Arena, baseLayout: ParamLayout, adapterLayout: ParamLayout | undefined, trainable: 'all' | 'lora'): { net: EngineNet; base: ParamSet; adapter?: ParamSet; grads: ParamSet } {
    const base = baseLayout.alloc(arena);
    if (trainable === 'all' || adapterLayout === undefined) {
      const grads = baseLayout.alloc(arena);
      return { net: assembleEngineNet(this.model.config, base, grads), base, grads };
    }
    const lora = this.model.adapter;
    if (lora === undefined) throw new Error('engine: LoRA training needs an attached adapter');
    const adapter = adapterLayout.alloc(arena);
    const grads = adapterLayout.alloc(arena);
    const net = assembleEngineNet(this.model.config, base, undefined, {
      values: adapter, grads, rank: lora.config.rank, scale: lora.scale, tokens: lora.config.tokens, tokenScale: lora.config.tokenScale,
    });
    return { net, base, adapter, grads };
  }

  /** Mean loss of a batch; its gradients (over micro-batches) are left in the gradient array. */
  lossAndGradients(batch: Batch): number {
    this.grads.data.fill(0);
    let loss = 0;
    for (const part of splitBatch(batch, this.microTokens)) loss += trainingPass(this.net, this.workspace, part, batch.lossTokens);
    return loss;
  }

  gradientNorm(): number {
    return flatNorm(this.grads.data);
  }

  /** One AdamW step from the current gradients, clipped to a global norm of `gradClip` (0: no clipping). */
  step(learningRate: number, norm: number, gradClip: number): void {
    this.optimizer.step(this.values, this.grads, learningRate, gradClip > 0 ? flatClipScale(norm, gradClip) : 1);
  }

  /** The gradient of a named parameter (tests). */
  gradient(name: string): Float32Array {
    return this.grads.view(name);
  }

  /** Copies the trained values into the model's weights (or its adapter's). */
  writeBack(): void {
    if (this.adapter !== undefined) {
      const adapter = this.model.adapter;
      if (adapter === undefined) throw new Error('engine: the adapter was detached during training');
      adapter.setHost((name) => this.adapter?.view(name) as Float32Array);
    } else {
      this.model.setHostWeights((name) => this.base.view(name));
    }
  }
}
