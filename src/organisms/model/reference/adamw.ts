/**
 * AdamW (Loshchilov & Hutter): Adam whose weight decay is decoupled from the gradient, applied as
 * PyTorch's torch.optim.AdamW does it: p <- p - lr*wd*p, then the bias-corrected Adam step.
 * tfjs ships Adam but not AdamW, and its Adam folds no decay at all.
 */
import { resolveAdamW, type AdamWOptions } from '../engine/adamw.js';
import { tf, zerosVariableLike } from './backend.js';


export interface OptimizedVariable {
  variable: tf.Variable;
  /** Decay matrices; leave biases and LayerNorm parameters alone (GPT-2 / nanoGPT practice). */
  decay: boolean;
}

interface Slot {
  variable: tf.Variable;
  decay: boolean;
  m: tf.Variable;
  v: tf.Variable;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private readonly slots: Slot[];
  private stepCount = 0;

  constructor(variables: readonly OptimizedVariable[], options: AdamWOptions = {}) {
    ({ beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay } = resolveAdamW(options));
    this.slots = variables.map(({ variable, decay }) => ({
      variable,
      decay,
      m: zerosVariableLike(variable),
      v: zerosVariableLike(variable),
    }));
  }

  get steps(): number {
    return this.stepCount;
  }

  /**
   * One update. `grads` is keyed by variable name (as tf.variableGrads returns it); `gradScale`, a
   * scalar tensor, multiplies every gradient first (global-norm clipping).
   */
  step(grads: Readonly<Record<string, tf.Tensor>>, learningRate: number, gradScale?: tf.Scalar): void {
    this.stepCount += 1;
    const t = this.stepCount;
    const correction1 = 1 - this.beta1 ** t;
    const correction2 = 1 - this.beta2 ** t;
    tf.tidy(() => {
      for (const slot of this.slots) {
        const raw = grads[slot.variable.name];
        // As torch.optim does for a parameter whose .grad is None: a weight the loss does not reach is left as it is.
        if (raw === undefined || raw === null) continue;
        const g = gradScale === undefined ? raw : tf.mul(raw, gradScale);
        const m = tf.add(tf.mul(slot.m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(slot.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        slot.m.assign(m);
        slot.v.assign(v);
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), this.epsilon));
        const decayed = slot.decay && this.weightDecay > 0 ? tf.mul(slot.variable, 1 - learningRate * this.weightDecay) : slot.variable;
        slot.variable.assign(tf.sub(decayed, tf.mul(update, learningRate)));
      }
    });
  }

  dispose(): void {
    for (const slot of this.slots) tf.dispose([slot.m, slot.v]);
  }
}

/** sqrt(sum of squares) over all gradients, as a scalar tensor (not read back, so no sync). */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
}

/** min(1, maxNorm / norm): the factor that clips the global gradient norm to maxNorm. */
export function clipScale(norm: tf.Scalar, maxNorm: number): tf.Scalar {
  return tf.tidy(() => tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.add(norm, 1e-6))) as tf.Scalar);
}
