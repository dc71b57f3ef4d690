/**
 * The organism's network over flat parameter views (engine/params.ts): the same model as
 * transformer.ts (pre-LayerNorm blocks, causal attention, GELU MLP, learned positions, tied
 * embedding, LoRA on block linears, trainable token rows), with gradient views where a parameter
 * trains. Built once per training or inference session; the views point into one arena.
 */
import type { ModelConfig } from '../config.js';
import { TOKEN_DELTA } from '../lora.js';
import { LINEAR_NAMES, biasName, linearShape, weightSpecs, type LinearName } from '../weights.js';
import { ParamLayout, type ParamSet } from './params.js';

export interface LoraViews {
  a: Float32Array;
  b: Float32Array;
  rank: number;
  scale: number;
  da?: Float32Array;
  db?: Float32Array;
}

export interface LinearViews {
  inDim: number;
  outDim: number;
  w: Float32Array;
  bias: Float32Array;
  dw?: Float32Array;
  dbias?: Float32Array;
  lora?: LoraViews;
}

export interface NormViews {
  g: Float32Array;
  b: Float32Array;
  dg?: Float32Array;
  db?: Float32Array;
}

export interface BlockViews {
  ln1: NormViews;
  ln2: NormViews;
  linears: Record<LinearName, LinearViews>;
}

/** Rows `ids` of the tied embedding change by scale x d [ids.length, dModel]. */
export interface TokenRowViews {
  ids: readonly number[];
  d: Float32Array;
  scale: number;
  dd?: Float32Array;
}

export interface EngineNet {
  config: ModelConfig;
  wte: Float32Array;
  wpe: Float32Array;
  dwte?: Float32Array;
  dwpe?: Float32Array;
  tokenRows?: TokenRowViews;
  blocks: BlockViews[];
  lnf: NormViews;
  /** Largest LoRA rank on any linear (0: none), for workspace sizing. */
  loraRank: number;
}

export function baseLayout(config: ModelConfig): ParamLayout {
  return new ParamLayout(weightSpecs(config));
}

export interface AdapterParams {
  values: ParamSet;
  grads?: ParamSet;
  rank: number;
  scale: number;
  tokens: readonly number[];
  tokenScale: number;
}

/** The net over base values (and their gradients for a full fine-tune) and an optional adapter. */
export function assembleEngineNet(config: ModelConfig, base: ParamSet, baseGrads?: ParamSet, adapter?: AdapterParams): EngineNet {
  const grad = (name: string): Float32Array | undefined => baseGrads?.view(name);
  const norm = (p: string): NormViews => {
    const g = grad(`${p}.g`);
    const b = grad(`${p}.b`);
    return { g: base.view(`${p}.g`), b: base.view(`${p}.b`), ...(g === undefined ? {} : { dg: g }), ...(b === undefined ? {} : { db: b }) };
  };
  const blocks: BlockViews[] = [];
  for (let l = 0; l < config.layers; l++) {
    const linears = {} as Record<LinearName, LinearViews>;
    for (const name of LINEAR_NAMES) {
      const full = `h.${l}.${name}`;
      const bias = `h.${l}.${biasName(name)}`;
      const [inDim, outDim] = linearShape(config, name);
      const dw = grad(full);
      const dbias = grad(bias);
      let lora: LoraViews | undefined;
      if (adapter !== undefined && adapter.values.has(`${full}.lora_a`)) {
        const da = adapter.grads?.view(`${full}.lora_a`);
        const db = adapter.grads?.view(`${full}.lora_b`);
        lora = { a: adapter.values.view(`${full}.lora_a`), b: adapter.values.view(`${full}.lora_b`), rank: adapter.rank, scale: adapter.scale, ...(da === undefined ? {} : { da }), ...(db === undefined ? {} : { db }) };
      }
      linears[name] = { inDim, outDim, w: base.view(full), bias: base.view(bias), ...(dw === undefined ? {} : { dw }), ...(dbias === undefined ? {} : { dbias }), ...(lora === undefined ? {} : { lora }) };
    }
    blocks.push({ ln1: norm(`h.${l}.ln1`), ln2: norm(`h.${l}.ln2`), linears });
  }
  const dwte = grad('wte');
  const dwpe = grad('wpe');
  let tokenRows: TokenRowViews | undefined;
  if (adapter !== undefined && adapter.tokens.length > 0) {
    const dd = adapter.grads?.view(TOKEN_DELTA);
    tokenRows = { ids: adapter.tokens, d: adapter.values.view(TOKEN_DELTA), scale: adapter.tokenScale, ...(dd === undefined ? {} : { dd }) };
  }
  return {
    config, wte: base.view('wte'), wpe: base.view('wpe'),
    ...(dwte === undefined ? {} : { dwte }), ...(dwpe === undefined ? {} : { dwpe }), ...(tokenRows === undefined ? {} : { tokenRows }),
    blocks, lnf: norm('lnf'), loraRank: adapter?.rank ?? 0,
  };
}
