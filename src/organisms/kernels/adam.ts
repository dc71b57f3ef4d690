/**
 * One step of Adam (Kingma & Ba 2015) as PyTorch's torch.optim.Adam computes it without weight
 * decay, over float32 views of an arena, in wasm (adam-kernel.ts) and, for the last n mod 4
 * entries, in the plain JavaScript loop the kernel reproduces bit for bit (float64 per entry).
 */
import type { KernelArena } from './arena.js';
import { checkCount, checkViews } from './views.js';

export interface AdamSettings {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/**
 * Step number `t` (1 for the first) over n entries: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
 * params ← params − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + eps), in float64 per entry, each stored
 * value rounded to float32. params, m and v are updated in place.
 */
export function adamStep(arena: KernelArena, params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, n: number, t: number, settings: AdamSettings): void {
  checkCount('adamStep', 'n', n);
  if (!Number.isSafeInteger(t) || t < 1) throw new Error(`adamStep: the step number t must be a positive integer, got ${t}`);
  checkViews(arena, 'adamStep', [['params', params, n], ['grads', grads, n], ['m', m, n], ['v', v, n]]);
  const { lr, beta1, beta2, eps } = settings;
  const stepSize = lr / (1 - beta1 ** t);
  const sqrtCorrection2 = Math.sqrt(1 - beta2 ** t);
  const quads = n >> 2;
  if (quads > 0) arena.elementwise.adamStep(params.byteOffset, grads.byteOffset, m.byteOffset, v.byteOffset, quads, beta1, 1 - beta1, beta2, 1 - beta2, stepSize, sqrtCorrection2, eps);
  for (let i = 4 * quads; i < n; i++) {
    const g = grads[i] as number;
    const mi = beta1 * (m[i] as number) + (1 - beta1) * g;
    const vi = beta2 * (v[i] as number) + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    params[i] = (params[i] as number) - (stepSize * mi) / (Math.sqrt(vi) / sqrtCorrection2 + eps);
  }
}
