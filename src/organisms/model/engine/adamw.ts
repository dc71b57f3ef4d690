/**
 * AdamW over a flat parameter array, in the order of adamw.ts (torch.optim.AdamW): g scaled by the
 * clip factor, m and v updated, p <- p (1 - lr wd) for decayed parameters, then p -= lr m^ / (sqrt(v^) + eps).
 */
import type { KernelArena as Arena } from '../../kernels/index.js';
import type { ParamLayout, ParamSet } from './params.js';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
}

/** The options with their defaults (torch's betas 0.9/0.95 as nanoGPT, eps 1e-8, decay 0.1), checked. */
export function resolveAdamW(options: AdamWOptions): Required<AdamWOptions> {
  const resolved = { beta1: options.beta1 ?? 0.9, beta2: options.beta2 ?? 0.95, epsilon: options.epsilon ?? 1e-8, weightDecay: options.weightDecay ?? 0.1 };
  for (const key of ['beta1', 'beta2'] as const) {
    const value = resolved[key];
    if (!(value >= 0 && value < 1)) throw new Error(`AdamW: ${key} must be in [0, 1), got ${value}`);
  }
  if (!(resolved.epsilon > 0)) throw new Error(`AdamW: epsilon must be > 0, got ${resolved.epsilon}`);
  if (!(resolved.weightDecay >= 0)) throw new Error(`AdamW: weightDecay must be >= 0, got ${resolved.weightDecay}`);
  return resolved;
}

export class FlatAdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private readonly ranges: { offset: number; length: number; decay: boolean }[];
  private stepCount = 0;

  constructor(arena: Arena, layout: ParamLayout, options: AdamWOptions = {}) {
    ({ beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay } = resolveAdamW(options));
    this.m = arena.alloc(layout.size);
    this.v = arena.alloc(layout.size);
    this.ranges = [...layout.entries.values()].map((e) => ({ offset: e.offset, length: e.length, decay: e.decay }));
  }

  get steps(): number {
    return this.stepCount;
  }

  step(values: ParamSet, grads: ParamSet, learningRate: number, gradScale = 1): void {
    this.stepCount += 1;
    const t = this.stepCount;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const c1 = 1 - b1 ** t;
    const c2 = 1 - b2 ** t;
    const eps = this.epsilon;
    const p = values.data;
    const g = grads.data;
    const { m, v } = this;
    for (const range of this.ranges) {
      const keep = range.decay && this.weightDecay > 0 ? 1 - learningRate * this.weightDecay : 1;
      const end = range.offset + range.length;
      for (let i = range.offset; i < end; i++) {
        const gi = Math.fround((g[i] as number) * gradScale);
        const mi = Math.fround(Math.fround((m[i] as number) * b1) + Math.fround(gi * (1 - b1)));
        const vi = Math.fround(Math.fround((v[i] as number) * b2) + Math.fround(gi * gi * (1 - b2)));
        m[i] = mi;
        v[i] = vi;
        const update = Math.fround(mi / c1) / (Math.sqrt(vi / c2) + eps);
        p[i] = Math.fround((p[i] as number) * keep) - Math.fround(update) * learningRate;
      }
    }
  }
}

/** sqrt of the sum of squares of every gradient (float64 sum). */
export function flatNorm(grads: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += (grads[i] as number) * (grads[i] as number);
  return Math.sqrt(sum);
}

/** min(1, maxNorm / (norm + 1e-6)): as adamw.ts's clipScale. */
export function flatClipScale(norm: number, maxNorm: number): number {
  return Math.min(1, maxNorm / (norm + 1e-6));
}
