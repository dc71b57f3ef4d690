/**
 * Adam (Kingma & Ba 2015) as PyTorch's torch.optim.Adam computes it with its defaults, which the
 * paper's script uses (lr 3e-4, betas 0.9/0.999, eps 1e-8, no weight decay):
 *   m ← β1·m + (1−β1)·g,   v ← β2·v + (1−β2)·g²,
 *   θ ← θ − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + eps).
 */

export interface AdamSettings {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export const PAPER_ADAM: AdamSettings = { lr: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export class Adam {
  readonly settings: AdamSettings;
  private readonly params: Float32Array;
  private readonly grads: Float32Array;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;

  constructor(params: Float32Array, grads: Float32Array, settings: AdamSettings = PAPER_ADAM) {
    if (params.length !== grads.length) throw new Error(`Adam: ${params.length} parameters but ${grads.length} gradients`);
    this.settings = settings;
    this.params = params;
    this.grads = grads;
    this.m = new Float32Array(params.length);
    this.v = new Float32Array(params.length);
  }

  get steps(): number {
    return this.t;
  }

  step(): void {
    this.t += 1;
    const { lr, beta1, beta2, eps } = this.settings;
    const stepSize = lr / (1 - beta1 ** this.t);
    const sqrtCorrection2 = Math.sqrt(1 - beta2 ** this.t);
    const { params, grads, m, v } = this;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i] as number;
      const mi = beta1 * (m[i] as number) + (1 - beta1) * g;
      const vi = beta2 * (v[i] as number) + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] = (params[i] as number) - (stepSize * mi) / (Math.sqrt(vi) / sqrtCorrection2 + eps);
    }
  }
}
