/**
 * The previous implementation (TensorFlow.js, hand-written gradients: ops.ts, transformer.ts,
 * loss.ts here) as a reference the engine is tested against; test-only (not in the build, tfjs is
 * a dev dependency). Nets are assembled from the model's host weights.
 */
import type { Batch } from '../batches.js';
import type { OrganismModel } from '../organism.js';
import { ensureBackend, tf } from './backend.js';
import { weightedCrossEntropy } from './loss.js';
import { assembleNet, attentionBias, causalBias, forward, logitsFrom, tokenColumns, type Net } from './transformer.js';

/** Variables of the base weights and of the adapter's tensors, by name. */
function variablesOf(model: OrganismModel, trainBase: boolean): { base: Map<string, tf.Variable>; adapter: Map<string, tf.Variable> } {
  const base = new Map<string, tf.Variable>();
  for (const [name, t] of model.hostWeights()) base.set(name, tf.variable(tf.tensor(t.data, [...t.shape]), trainBase));
  const adapter = new Map<string, tf.Variable>();
  for (const [name, t] of model.adapter?.hostTensors() ?? []) adapter.set(name, tf.variable(tf.tensor(t.data, [...t.shape])));
  return { base, adapter };
}

/** The net over those variables; with an adapter, applied on the fly (as training ran it). Call inside a tidy. */
function netOf(model: OrganismModel, base: Map<string, tf.Variable>, adapter: Map<string, tf.Variable>, mode: 'none' | 'inputs' | 'all'): Net {
  const lora = model.adapter;
  const weight = (name: string): tf.Tensor => base.get(name) as tf.Variable;
  if (lora === undefined) return assembleNet(model.config, mode, weight);
  const net = assembleNet(model.config, mode === 'none' ? 'none' : 'inputs', weight, (linear) => {
    const a = adapter.get(`${linear}.lora_a`);
    const b = adapter.get(`${linear}.lora_b`);
    return a === undefined || b === undefined ? undefined : { a: a as tf.Tensor2D, b: b as tf.Tensor2D, scale: lora.scale };
  });
  const delta = adapter.get('wte.token_delta');
  if (delta === undefined) return net;
  return { ...net, tokenRows: { ids: lora.config.tokens, delta: (lora.config.tokenScale === 1 ? delta : tf.mul(delta, lora.config.tokenScale)) as tf.Tensor2D } };
}

/** The loss of a batch and the gradients of what trains (every base weight, or the adapter's tensors), by name. */
export async function lossAndGradientsTfjs(model: OrganismModel, batch: Batch): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  await ensureBackend();
  const trainBase = model.adapter === undefined;
  const { base, adapter } = variablesOf(model, trainBase);
  const trained = trainBase ? base : adapter;
  const names = [...trained.keys()];
  const { value, grads } = tf.variableGrads(() => {
    const net = netOf(model, base, adapter, trainBase ? 'all' : 'inputs');
    const positions = new Int32Array(batch.rows * batch.steps).map((_, i) => i % batch.steps);
    const { hidden } = forward(net, { ids: batch.inputs, positions, batch: batch.rows, steps: batch.steps, attentionBias: causalBias(batch.steps) });
    const weights = batch.weights.map((w) => w / Math.max(1, batch.lossTokens));
    return weightedCrossEntropy(logitsFrom(net, hidden), batch.targets, weights);
  }, names.map((n) => trained.get(n) as tf.Variable));
  const out = new Map<string, Float32Array>();
  for (const name of names) out.set(name, grads[(trained.get(name) as tf.Variable).name]?.dataSync() as Float32Array);
  const loss = value.dataSync()[0] as number;
  tf.dispose([value, ...Object.values(grads), ...base.values(), ...adapter.values()]);
  return { loss, grads: out };
}

/** Next-token logits at every position of one sequence, [ids.length * vocab], the adapter merged as inference merged it. */
export async function sequenceLogitsTfjs(model: OrganismModel, ids: readonly number[]): Promise<Float32Array> {
  await ensureBackend();
  const { base, adapter } = variablesOf(model, false);
  const lora = model.adapter;
  const logits = tf.tidy(() => {
    const merged = new Map<string, tf.Tensor>(base);
    if (lora !== undefined) {
      for (const name of base.keys()) {
        const a = adapter.get(`${name}.lora_a`);
        const b = adapter.get(`${name}.lora_b`);
        if (a !== undefined && b !== undefined) merged.set(name, tf.add(base.get(name) as tf.Tensor, tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), lora.scale)));
      }
      const delta = adapter.get('wte.token_delta');
      if (delta !== undefined) {
        const wte = base.get('wte') as tf.Tensor2D;
        merged.set('wte', tf.add(wte, tf.matMul(tokenColumns(lora.config.tokens, wte.shape[0]), tf.mul(delta, lora.config.tokenScale) as tf.Tensor2D, true, false)));
      }
    }
    const net = assembleNet(model.config, 'none', (name) => merged.get(name) as tf.Tensor);
    const positions = Int32Array.from(ids, (_, t) => t);
    const { hidden } = forward(net, { ids: Int32Array.from(ids), positions, batch: 1, steps: ids.length, attentionBias: attentionBias([new Uint8Array(ids.length).fill(1)], 0, ids.length) });
    return logitsFrom(net, hidden);
  });
  const values = (await logits.data()) as Float32Array;
  tf.dispose([logits, ...base.values(), ...adapter.values()]);
  return values;
}
