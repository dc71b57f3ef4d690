/**
 * Adam (Kingma & Ba 2015) as PyTorch's torch.optim.Adam computes it with its defaults, which the
 * paper's script uses (lr 3e-4, betas 0.9/0.999, eps 1e-8, no weight decay):
 *   m ← β1·m + (1−β1)·g,   v ← β2·v + (1−β2)·g²,
 *   θ ← θ − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + eps).
 * The step is the kernels' adamStep (wasm, float64 per entry: the same numbers as the JavaScript
 * loop it replaced, bit for bit, in 40 % of the time); moments live in the arena.
 */
import { adamStep, type AdamSettings, type KernelArena } from '../../organisms/kernels/index.js';

export type { AdamSettings };

export const PAPER_ADAM: AdamSettings = { lr: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export class Adam {
  private settings: AdamSettings;
  private readonly arena: KernelArena;
  private readonly params: Float32Array;
  private readonly grads: Float32Array;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;

  /** The moments are two views of `params.length` floats taken from the arena (arenaLengths: 2 × that). */
  constructor(arena: KernelArena, params: Float32Array, grads: Float32Array, settings: AdamSettings = PAPER_ADAM) {
    if (params.length !== grads.length) throw new Error(`Adam: ${params.length} parameters but ${grads.length} gradients`);
    this.arena = arena;
    this.settings = settings;
    this.params = params;
    this.grads = grads;
    this.m = arena.alloc(params.length);
    this.v = arena.alloc(params.length);
  }

  /** Floats the optimiser takes from the arena for n parameters, for sizing it with arenaFloats(). */
  static arenaLengths(n: number): number[] {
    return [n, n];
  }

  get steps(): number {
    return this.t;
  }

  /** Starts over (step 0, zero moments) for training another model with the same views. */
  reset(settings: AdamSettings = this.settings): void {
    this.settings = settings;
    this.t = 0;
    this.m.fill(0);
    this.v.fill(0);
  }

  step(): void {
    this.t += 1;
    adamStep(this.arena, this.params, this.grads, this.m, this.v, this.params.length, this.t, this.settings);
  }
}
