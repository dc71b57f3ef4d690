/** Between an OrganismModel (tfjs variables today) and the engine's plain-data trainer spec. */
import type { AdamWOptions } from './adamw.js';
import type { OrganismModel } from '../organism.js';
import type { TrainerSpec } from './trainer.js';

/** The spec of a full fine-tune (`all`) or of training the attached adapter (`lora`). */
export function trainerSpec(model: OrganismModel, trainable: 'all' | 'lora', microTokens: number, adam: AdamWOptions): TrainerSpec {
  const spec: TrainerSpec = { config: model.config, base: model.hostWeights(), microTokens, adam };
  if (trainable === 'all') return spec;
  const adapter = model.adapter;
  if (adapter === undefined) throw new Error('engine: LoRA training needs an attached adapter');
  const { rank, targets, tokens, tokenScale } = adapter.config;
  return { ...spec, adapter: { rank, scale: adapter.scale, targets, tokens, tokenScale, tensors: adapter.hostTensors() } };
}

/** Puts trained values (by tensor name) into the model's weights, or its adapter's. */
export function writeTrained(model: OrganismModel, trainable: 'all' | 'lora', trained: (name: string) => Float32Array): void {
  if (trainable === 'all') {
    model.setHostWeights(trained);
    return;
  }
  const adapter = model.adapter;
  if (adapter === undefined) throw new Error('engine: the adapter was detached during training');
  adapter.setHost(trained);
}
