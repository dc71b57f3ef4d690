/**
 * The forward pass of an organism: a decoder-only transformer (pre-LayerNorm, causal multi-head
 * self-attention, GELU MLP, learned positions, tied input/output embeddings).
 *
 * Work is shaped into few large products: every token of the batch goes through each linear layer as
 * one [tokens, in] x [in, out] product, and attention as one grouped product over (row, head) (see
 * ops.ts for why each operation is written the way it is). The same function serves training (whole
 * sequences, causal mask), prefill and step-by-step decoding (a key/value cache of earlier positions).
 */
import { tf } from './backend.js';
import type { ModelConfig } from '../config.js';
import { affine, attention, embedRows, gelu, layerNorm, matMul2d, type GradientMode } from './ops.js';
import { LINEAR_NAMES, biasName, type LinearName } from '../weights.js';

export interface LoraFactors {
  a: tf.Tensor2D;
  b: tf.Tensor2D;
  scale: number;
}

/** Rows `ids` of the tied embedding change by `delta` [ids.length, dModel]. */
export interface TokenRows {
  ids: readonly number[];
  delta: tf.Tensor2D;
}

export interface Linear {
  w: tf.Tensor2D;
  bias: tf.Tensor1D;
  lora?: LoraFactors;
}

export interface Norm {
  g: tf.Tensor1D;
  b: tf.Tensor1D;
}

export interface Block {
  ln1: Norm;
  ln2: Norm;
  linears: Record<LinearName, Linear>;
}

export interface Net {
  config: ModelConfig;
  /** none: inference; inputs: a LoRA adapter trains on frozen base weights; all: full training. */
  gradients: GradientMode;
  wte: tf.Tensor2D;
  /** Embedding rows an adapter trains, as a change on top of the frozen table (training only). */
  tokenRows?: TokenRows;
  wpe: tf.Tensor2D;
  blocks: Block[];
  lnf: Norm;
}

/** Keys [headDim, batch, heads, positions] and values [positions, batch, heads, headDim] of earlier positions, per layer. */
export interface KvCache {
  layers: { kT: tf.Tensor4D; v: tf.Tensor4D }[];
  length: number;
}

/** Builds the network from named tensors; `lora(name)` gives the adapter on a linear, if any. */
export function assembleNet(config: ModelConfig, gradients: GradientMode, weight: (name: string) => tf.Tensor, lora?: (linearName: string) => LoraFactors | undefined): Net {
  const norm = (p: string): Norm => ({ g: weight(`${p}.g`) as tf.Tensor1D, b: weight(`${p}.b`) as tf.Tensor1D });
  const blocks: Block[] = [];
  for (let l = 0; l < config.layers; l++) {
    const linears = {} as Record<LinearName, Linear>;
    for (const name of LINEAR_NAMES) {
      const full = `h.${l}.${name}`;
      const adapter = lora?.(full);
      linears[name] = { w: weight(full) as tf.Tensor2D, bias: weight(`h.${l}.${biasName(name)}`) as tf.Tensor1D, ...(adapter ? { lora: adapter } : {}) };
    }
    blocks.push({ ln1: norm(`h.${l}.ln1`), ln2: norm(`h.${l}.ln2`), linears });
  }
  return { config, gradients, wte: weight('wte') as tf.Tensor2D, wpe: weight('wpe') as tf.Tensor2D, blocks, lnf: norm('lnf') };
}

export interface ForwardInput {
  /** Token ids, row-major [batch * steps]. */
  ids: Int32Array;
  /** Position of each token (0-based, per row), same layout as ids. */
  positions: Int32Array;
  batch: number;
  steps: number;
  /** Additive attention bias broadcastable to [steps, batch, heads, cached + steps] (0 or MASKED). */
  attentionBias: tf.Tensor;
  /** Earlier positions' keys and values; the returned cache holds these plus the new ones. */
  cache?: KvCache;
  /** Keep keys and values for a later call (prefill and decoding; training does not). */
  returnCache?: boolean;
}

export interface ForwardOutput {
  /** Final hidden states after the last LayerNorm, [batch * steps, dModel], row-major by (row, step). */
  hidden: tf.Tensor2D;
  cache?: KvCache;
}

/** Additive bias for a key a query must not see: finite, so a row with no visible key stays NaN-free. */
export const MASKED = -1e9;

function linear(x: tf.Tensor2D, l: Linear, mode: GradientMode): tf.Tensor2D {
  const y = affine(x, l.w, l.bias, mode);
  if (l.lora === undefined) return y;
  // Adapters always train when present (mode 'none' only reaches here for an unmerged inference net).
  const loraMode = mode === 'none' ? 'none' : 'all';
  return tf.add(y, tf.mul(matMul2d(matMul2d(x, l.lora.a, loraMode), l.lora.b, loraMode), l.lora.scale));
}

/**
 * Attention lays its tensors out as its grouped products (ops.attention) want them, with one
 * group per (row, head): queries [steps, headDim, rows*heads], keys as a filter [headDim, rows*heads,
 * keys], values as a filter [keys, rows*heads, headDim]. The cache keeps keys and values in those
 * filter layouts, so a decoding step appends without rearranging what is already there.
 */
export function forward(net: Net, input: ForwardInput): ForwardOutput {
  const { dModel: d, heads, context } = net.config;
  const headDim = d / heads;
  const { batch, steps } = input;
  const groups = batch * heads;
  const past = input.cache?.length ?? 0;
  const keys = past + steps;
  if (input.ids.length !== batch * steps || input.positions.length !== batch * steps) throw new Error(`organism: ids and positions must hold batch x steps = ${batch * steps} entries`);
  // The context bounds positions (the learned table's rows); a left-padded cache may hold more keys.
  for (const p of input.positions) if (p < 0 || p >= context) throw new Error(`organism: position ${p} is outside the model's context of ${context} tokens`);
  const mode = net.gradients;

  const ids = tf.tensor1d(input.ids, 'int32');
  const positions = tf.tensor1d(input.positions, 'int32');
  let x = tf.add(embedRows(net.wte, ids, mode), embedRows(net.wpe, positions, mode)) as tf.Tensor2D;
  if (net.tokenRows !== undefined) x = tf.add(x, tokenRowsEmbedding(net.tokenRows, input.ids)) as tf.Tensor2D;

  const qScale = 1 / Math.sqrt(headDim);
  const newCache: KvCache['layers'] = [];
  net.blocks.forEach((block, l) => {
    const h = layerNorm(x, block.ln1.g, block.ln1.b, mode);
    const split = (t: tf.Tensor2D): tf.Tensor4D => tf.reshape(t, [batch, steps, heads, headDim]);
    const q = tf.reshape(tf.transpose(split(tf.mul(linear(h, block.linears['attn.wq'], mode), qScale)), [1, 3, 0, 2]), [steps, headDim, groups]) as tf.Tensor3D;
    const kNew = tf.transpose(split(linear(h, block.linears['attn.wk'], mode)), [3, 0, 2, 1]); // [headDim, batch, heads, steps]
    const vNew = tf.transpose(split(linear(h, block.linears['attn.wv'], mode)), [1, 0, 2, 3]); // [steps, batch, heads, headDim]
    const cached = input.cache?.layers[l];
    const kT = cached === undefined ? kNew : tf.concat([cached.kT, kNew], 3);
    const v = cached === undefined ? vNew : tf.concat([cached.v, vNew], 0);
    if (input.returnCache === true) newCache.push({ kT, v });

    const attended = tf.reshape(attention(q, tf.reshape(kT, [headDim, groups, keys]), tf.reshape(v, [keys, groups, headDim]), input.attentionBias, batch, mode), [steps, batch, heads, headDim]);
    const merged = tf.reshape(tf.transpose(attended, [1, 0, 2, 3]), [batch * steps, d]) as tf.Tensor2D;
    x = tf.add(x, linear(merged, block.linears['attn.wo'], mode));
    const hidden = gelu(linear(layerNorm(x, block.ln2.g, block.ln2.b, mode), block.linears['mlp.w1'], mode), mode);
    x = tf.add(x, linear(hidden, block.linears['mlp.w2'], mode));
  });
  const hidden = layerNorm(x, net.lnf.g, net.lnf.b, mode);
  return input.returnCache === true ? { hidden, cache: { layers: newCache, length: keys } } : { hidden };
}

/** Next-token logits from hidden states: the tied embedding, [rows, vocab]. */
export function logitsFrom(net: Net, hidden: tf.Tensor2D): tf.Tensor2D {
  const logits = matMul2d(hidden, tf.transpose(net.wte), net.gradients);
  if (net.tokenRows === undefined) return logits;
  // The changed rows' logits only: hidden x delta^T [rows, k], placed in their columns by a one-hot [k, vocab].
  const { ids, delta } = net.tokenRows;
  return tf.add(logits, tf.matMul(tf.matMul(hidden, delta, false, true), tokenColumns(ids, net.config.vocabSize))) as tf.Tensor2D;
}

/** [ids.length, vocab]: row j is the one-hot of ids[j] (where each changed row sits in the table). */
export function tokenColumns(ids: readonly number[], vocabSize: number): tf.Tensor2D {
  return tf.oneHot(tf.tensor1d([...ids], 'int32'), vocabSize).toFloat() as tf.Tensor2D;
}

/**
 * The changed rows' part of the input embedding: a [tokens, k] match of each token against the ids,
 * times delta. Both this and the logits term cost tokens x k x (dModel or vocab), next to nothing for
 * a few rows; training the whole table instead would need its full [vocab, dModel] gradient.
 */
function tokenRowsEmbedding(rows: TokenRows, tokenIds: Int32Array): tf.Tensor2D {
  const k = rows.ids.length;
  const match = new Float32Array(tokenIds.length * k);
  tokenIds.forEach((id, n) => rows.ids.forEach((row, j) => { if (id === row) match[n * k + j] = 1; }));
  return tf.matMul(tf.tensor2d(match, [tokenIds.length, k]), rows.delta);
}

const causalBiasCache = new Map<number, tf.Tensor4D>();

/** [steps, 1, 1, steps]: 0 where key <= query, MASKED above; one kept tensor per length. */
export function causalBias(steps: number): tf.Tensor4D {
  let bias = causalBiasCache.get(steps);
  if (bias === undefined) {
    const values = new Float32Array(steps * steps);
    for (let i = 0; i < steps; i++) for (let j = i + 1; j < steps; j++) values[i * steps + j] = MASKED;
    bias = tf.keep(tf.tensor4d(values, [steps, 1, 1, steps]));
    causalBiasCache.set(steps, bias);
  }
  return bias;
}

/**
 * [steps, rows, 1, past + steps] for rows of different lengths: new token i of a row (absolute index
 * past + i) sees key j when j <= past + i and key j is a real token of that row.
 */
export function attentionBias(keyIsReal: readonly Uint8Array[], past: number, steps: number): tf.Tensor4D {
  const keys = past + steps;
  const rows = keyIsReal.length;
  const values = new Float32Array(steps * rows * keys);
  keyIsReal.forEach((real, b) => {
    for (let i = 0; i < steps; i++) {
      const offset = (i * rows + b) * keys;
      for (let j = 0; j < keys; j++) if (j > past + i || real[j] !== 1) values[offset + j] = MASKED;
    }
  });
  return tf.tensor4d(values, [steps, rows, 1, keys]);
}

export function cacheTensors(cache: KvCache): tf.Tensor[] {
  return cache.layers.flatMap((layer) => [layer.kT, layer.v]);
}

export function disposeCache(cache: KvCache | undefined): void {
  if (cache !== undefined) tf.dispose(cacheTensors(cache));
}

/** tf.tidy for results that are not plain tensor containers: everything else made inside is freed. */
export function tidyKeeping<T>(fn: () => T, keep: (value: T) => tf.Tensor[]): T {
  let value: T | undefined;
  tf.tidy(() => {
    value = fn();
    return keep(value);
  });
  return value as T;
}

/** The cache restricted to (or expanded to) the given rows, in that order; rows may repeat. */
export function selectCacheRows(cache: KvCache, rows: readonly number[]): KvCache {
  const index = tf.tensor2d(Int32Array.from(rows), [rows.length, 1], 'int32');
  // The row axis is axis 1 in both layouts; gatherND (fast) indexes leading axes only, so swap it to the front and back.
  const pick = (t: tf.Tensor4D): tf.Tensor4D => tf.tidy(() => tf.transpose(tf.gatherND(tf.transpose(t, [1, 0, 2, 3]), index), [1, 0, 2, 3]) as tf.Tensor4D);
  const layers = cache.layers.map((layer) => ({ kT: pick(layer.kT), v: pick(layer.v) }));
  index.dispose();
  return { layers, length: cache.length };
}
