/**
 * The names, shapes and seeded initial values of an organism's weights, in GPT-2's layout
 * (`h.<layer>.attn.wq` ...) except that q, k and v have matrices of their own: on this backend three
 * products cost what one fused product costs, and splitting a fused result would need slow slices.
 * Matrices are stored [in, out], so a layer is `x @ w + b`.
 */
import { streamRng } from '../world/index.js';
import type { ModelConfig } from './config.js';

export interface WeightSpec {
  name: string;
  shape: number[];
  init: 'normal' | 'zeros' | 'ones';
  /** Standard deviation of a normal init. */
  std: number;
  /** Whether AdamW's decoupled weight decay applies (matrices yes; biases and LayerNorm no). */
  decay: boolean;
}

/** A linear map inside a block: the four targets LoRA adapters can attach to. */
export const LINEAR_NAMES = ['attn.wq', 'attn.wk', 'attn.wv', 'attn.wo', 'mlp.w1', 'mlp.w2'] as const;
export type LinearName = (typeof LINEAR_NAMES)[number];

const BIAS_OF: Readonly<Record<LinearName, string>> = {
  'attn.wq': 'attn.bq', 'attn.wk': 'attn.bk', 'attn.wv': 'attn.bv', 'attn.wo': 'attn.bo', 'mlp.w1': 'mlp.b1', 'mlp.w2': 'mlp.b2',
};

export function biasName(linear: LinearName): string {
  return BIAS_OF[linear];
}

export function linearShape(config: ModelConfig, linear: LinearName): [number, number] {
  const d = config.dModel;
  switch (linear) {
    case 'attn.wq':
    case 'attn.wk':
    case 'attn.wv':
    case 'attn.wo': return [d, d];
    case 'mlp.w1': return [d, config.mlpHidden];
    case 'mlp.w2': return [config.mlpHidden, d];
  }
}

export function weightSpecs(config: ModelConfig): WeightSpec[] {
  const d = config.dModel;
  const std = 0.02;
  // GPT-2: projections that write into the residual stream are scaled down by depth.
  const residualStd = std / Math.sqrt(2 * config.layers);
  const specs: WeightSpec[] = [
    { name: 'wte', shape: [config.vocabSize, d], init: 'normal', std, decay: true },
    { name: 'wpe', shape: [config.context, d], init: 'normal', std: 0.01, decay: true },
  ];
  for (let l = 0; l < config.layers; l++) {
    const p = `h.${l}.`;
    const norm = (n: string): WeightSpec[] => [
      { name: `${p}${n}.g`, shape: [d], init: 'ones', std: 0, decay: false },
      { name: `${p}${n}.b`, shape: [d], init: 'zeros', std: 0, decay: false },
    ];
    specs.push(...norm('ln1'));
    for (const linear of LINEAR_NAMES) {
      if (linear === 'mlp.w1') specs.push(...norm('ln2'));
      const shape = linearShape(config, linear);
      const writesResidual = linear === 'attn.wo' || linear === 'mlp.w2';
      specs.push({ name: `${p}${linear}`, shape, init: 'normal', std: writesResidual ? residualStd : std, decay: true });
      specs.push({ name: `${p}${biasName(linear)}`, shape: [shape[1]], init: 'zeros', std: 0, decay: false });
    }
  }
  specs.push({ name: 'lnf.g', shape: [d], init: 'ones', std: 0, decay: false }, { name: 'lnf.b', shape: [d], init: 'zeros', std: 0, decay: false });
  return specs;
}

/** Normal draws from the world's seeded generator (Box-Muller), one stream per weight name. */
export function seededNormal(seed: number, label: string, count: number, std: number): Float32Array {
  const rng = streamRng(seed, 'init', label);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const u1 = 1 - rng.next(); // (0, 1]: log never sees 0
    const u2 = rng.next();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

export function initialValues(spec: WeightSpec, seed: number): Float32Array {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.init === 'normal') return seededNormal(seed, spec.name, count, spec.std);
  return new Float32Array(count).fill(spec.init === 'ones' ? 1 : 0);
}

/** w [inDim, outDim] += scale (a [inDim, rank] b [rank, outDim]): merging a LoRA update, each sum in float64 rounded once. */
export function addLowRank(w: Float32Array, a: Float32Array, b: Float32Array, inDim: number, outDim: number, rank: number, scale: number): void {
  // B's columns as contiguous rows, so the sum over r reads both factors in order (the same sums).
  const bT = new Float32Array(outDim * rank);
  for (let r = 0; r < rank; r++) for (let j = 0; j < outDim; j++) bT[j * rank + r] = b[r * outDim + j] as number;
  for (let i = 0; i < inDim; i++) {
    for (let j = 0; j < outDim; j++) {
      let sum = 0;
      for (let r = 0; r < rank; r++) sum += (a[i * rank + r] as number) * (bT[j * rank + r] as number);
      w[i * outDim + j] = (w[i * outDim + j] as number) + Math.fround(Math.fround(sum) * scale);
    }
  }
}
