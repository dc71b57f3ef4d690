/**
 * The few tensor operations the transformer is built from, each routed to the fast kernels of the
 * tfjs WebAssembly backend, with hand-written gradients where tfjs's own would take a slow path.
 * Measured on this backend (4.22, one thread):
 * - 2-D matMul without transposes runs on XNNPACK (~30 GFLOP/s); any transposed or batched matMul
 *   falls to a scalar loop (~1-2.5 GFLOP/s), and tfjs's matMul gradient is built from transposed
 *   products. So gradients here transpose explicitly and multiply without transposes.
 * - a batched product (attention, one matrix per sequence and head) runs as a depthwise convolution,
 *   which XNNPACK also runs fast (3-10x the batched loop).
 * - gather is ~40x slower than gatherND; column sums are slower than a product with a ones row;
 *   tanh is ~15x slower than sigmoid (GELU's tanh form is rewritten with sigmoid, exactly).
 */
import { tf } from './backend.js';

/**
 * Which gradients a caller needs: none (inference: plain kernels, nothing saved for a backward pass),
 * inputs only (a LoRA adapter trains; base weights are frozen), or all (full training).
 */
export type GradientMode = 'none' | 'inputs' | 'all';

type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/**
 * tf.customGrad with the save function split off the inputs (tfjs types both as one list). Whatever
 * the gradient reads must go through `save` (which copies it): tensors it merely closes over are
 * freed when the forward scope ends, before backpropagation runs.
 */
export function customOp(f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: GradFunc }): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    let gradFunc: GradFunc | undefined;
    // Both passes run in their own scope: tfjs keeps every tensor of a backward pass (and of the
    // forward pass, until it ends) alive, so intermediates are freed here as soon as they are used.
    const value = tf.tidy(() => {
      const result = f(args as tf.Tensor[], save);
      gradFunc = result.gradFunc;
      return result.value;
    });
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => (gradFunc as GradFunc)(dy, saved)) };
  });
}

/** Rows `ids` of `table` ([N] -> [N, width]); the gradient scatters rows back, adding duplicates. */
export function embedRows(table: tf.Tensor2D, ids: tf.Tensor1D, mode: GradientMode): tf.Tensor2D {
  const indices = tf.expandDims(ids, 1);
  if (mode !== 'all') return tf.gatherND(table, indices) as tf.Tensor2D;
  const op = customOp(([t], save) => {
    save([indices]);
    return {
      value: tf.gatherND(t as tf.Tensor, indices),
      gradFunc: (dy, saved) => tf.scatterND(saved[0] as tf.Tensor, dy, table.shape),
    };
  });
  return op(table) as tf.Tensor2D;
}

/** a [n, k] @ b [k, m]; b gets a gradient only in mode 'all' (a frozen weight needs none). */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D, mode: GradientMode): tf.Tensor2D {
  if (mode === 'none') return tf.matMul(a, b);
  if (mode === 'all') {
    const op = customOp(([x, w], save) => {
      save([x as tf.Tensor, w as tf.Tensor]);
      return {
        value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
        gradFunc: (dy, saved) => {
          const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
          return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)];
        },
      };
    });
    return op(a, b) as tf.Tensor2D;
  }
  const op = customOp(([x], save) => {
    save([b]);
    return {
      value: tf.matMul(x as tf.Tensor2D, b),
      gradFunc: (dy, saved) => tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[0] as tf.Tensor2D)),
    };
  });
  return op(a) as tf.Tensor2D;
}

/** x [n, in] @ w [in, out] + bias, the bias fused into the product. */
export function affine(x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D, mode: GradientMode): tf.Tensor2D {
  if (mode === 'none') return tf.fused.matMul({ a: x, b: w, bias }) as tf.Tensor2D;
  if (mode === 'inputs') {
    const op = customOp(([input], save) => {
      save([w]);
      return {
        value: tf.fused.matMul({ a: input as tf.Tensor2D, b: w, bias }),
        gradFunc: (dy, saved) => tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[0] as tf.Tensor2D)),
      };
    });
    return op(x) as tf.Tensor2D;
  }
  const op = customOp(([input, weight, b], save) => {
    save([input as tf.Tensor, weight as tf.Tensor]);
    return {
      value: tf.fused.matMul({ a: input as tf.Tensor2D, b: weight as tf.Tensor2D, bias: b as tf.Tensor }),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        const d = dy as tf.Tensor2D;
        return [tf.matMul(d, tf.transpose(ws)), tf.matMul(tf.transpose(xs), d), columnSums(d)];
      },
    };
  });
  return op(x, w, bias) as tf.Tensor2D;
}

const GELU_C = 2 * Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * GELU, GPT-2's tanh form, written as x * sigmoid(u), u = 2 sqrt(2/pi) (x + 0.044715 x^3) (equal to
 * x (1 + tanh(u/2)) / 2) because sigmoid is the fast kernel; one saved tensor and a closed-form
 * derivative, sigmoid(u) + x sigmoid(u) (1 - sigmoid(u)) u'(x).
 */
export function gelu(x: tf.Tensor2D, mode: GradientMode): tf.Tensor2D {
  const forwardOf = (t: tf.Tensor): tf.Tensor => tf.mul(t, tf.sigmoid(tf.mul(tf.add(t, tf.mul(tf.mul(tf.square(t), t), GELU_A)), GELU_C)));
  if (mode === 'none') return forwardOf(x) as tf.Tensor2D;
  const op = customOp(([input], save) => {
    save([input as tf.Tensor]);
    return {
      value: forwardOf(input as tf.Tensor),
      gradFunc: (dy, saved) => {
        const t = saved[0] as tf.Tensor;
        const square = tf.square(t);
        const s = tf.sigmoid(tf.mul(tf.add(t, tf.mul(tf.mul(square, t), GELU_A)), GELU_C));
        const slope = tf.mul(tf.add(tf.mul(square, 3 * GELU_A), 1), GELU_C);
        return tf.mul(dy, tf.add(s, tf.mul(tf.mul(t, tf.mul(s, tf.sub(1, s))), slope)));
      },
    };
  });
  return op(x) as tf.Tensor2D;
}

/** Column sums of a [rows, cols] tensor as a product with a ones row: the backend's axis-0 sum is a slow loop. */
function columnSums(t: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(tf.matMul(tf.ones([1, t.shape[0]]) as tf.Tensor2D, t), [t.shape[1]]);
}

function normalize(x: tf.Tensor2D, eps: number): { xhat: tf.Tensor2D; rstd: tf.Tensor2D } {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps)) as tf.Tensor2D;
  return { xhat: tf.mul(centred, rstd), rstd };
}

/**
 * LayerNorm over the last axis, y = g * (x - mean) / sqrt(var + eps) + b, with the closed-form
 * gradient dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * g: a third of
 * the operations of tfjs's chain, and no axis-0 sums.
 */
export function layerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, mode: GradientMode, eps = 1e-5): tf.Tensor2D {
  if (mode === 'none') {
    const { xhat } = normalize(x, eps);
    return tf.add(tf.mul(xhat, g), b);
  }
  const op = customOp(([input, gain, shift], save) => {
    const { xhat, rstd } = normalize(input as tf.Tensor2D, eps);
    save([xhat, rstd, gain as tf.Tensor]);
    return {
      value: tf.add(tf.mul(xhat, gain as tf.Tensor), shift as tf.Tensor),
      gradFunc: (dy, saved) => {
        const [xh, rs, gs] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const d = dy as tf.Tensor2D;
        const dxhat = tf.mul(d, gs);
        const dx = tf.mul(rs, tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(xh, tf.mean(tf.mul(dxhat, xh), -1, true))));
        if (mode === 'inputs') return [dx, tf.zerosLike(gs), tf.zerosLike(gs)];
        return [dx, columnSums(tf.mul(d, xh) as tf.Tensor2D), columnSums(d)];
      },
    };
  });
  return op(x, g, b) as tf.Tensor2D;
}

/**
 * Many independent products at once: out[m, g, n] = sum_k input[m, k, g] * filter[k, g, n], one
 * matrix product per group g (a sequence and head). It is a depthwise convolution with a 1 x k
 * kernel, k input positions and n outputs per channel, which XNNPACK runs without the slow loop.
 * Callers keep their tensors in these layouts, so few rearrangements are needed.
 */
function depthwise(input: tf.Tensor3D, filter: tf.Tensor3D): tf.Tensor3D {
  const [m, k, g] = input.shape;
  const n = filter.shape[2];
  const out = tf.depthwiseConv2d(tf.reshape(input, [1, m, k, g]) as tf.Tensor4D, tf.reshape(filter, [1, k, g, n]) as tf.Tensor4D, 1, 'valid');
  return tf.reshape(out, [m, g, n]);
}

/**
 * Softmax attention for every (row, head) group at once, in the layouts of `depthwise`:
 * q [queries, headDim, groups] (already scaled), kT [headDim, groups, keys], v [keys, groups, headDim],
 * bias broadcastable to [queries, rows, heads, keys]; the result is [queries, groups, headDim].
 * As one operation it keeps a single copy of the attention weights for the backward pass (tfjs's own
 * chain would keep about ten), and computes scores, softmax and products again only where needed.
 */
export function attention(q: tf.Tensor3D, kT: tf.Tensor3D, v: tf.Tensor3D, bias: tf.Tensor, rows: number, mode: GradientMode): tf.Tensor3D {
  const [queries, , groups] = q.shape;
  const keys = kT.shape[2];
  const heads = groups / rows;
  const weightsOf = (qs: tf.Tensor3D, ks: tf.Tensor3D): tf.Tensor3D => {
    const scores = tf.add(tf.reshape(depthwise(qs, ks), [queries, rows, heads, keys]), bias);
    // [queries, keys, groups]: the layout of the product with v.
    return tf.reshape(tf.transpose(tf.softmax(scores), [0, 3, 1, 2]), [queries, keys, groups]);
  };
  if (mode === 'none') return depthwise(weightsOf(q, kT), v);
  const op = customOp(([qs, ks, vs], save) => {
    const weights = weightsOf(qs as tf.Tensor3D, ks as tf.Tensor3D);
    save([qs as tf.Tensor, ks as tf.Tensor, vs as tf.Tensor, weights]);
    return {
      value: depthwise(weights, vs as tf.Tensor3D),
      gradFunc: (dy, saved) => {
        const [qd, kd, vd, w] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
        const d = dy as tf.Tensor3D; // [queries, groups, headDim]
        // out[m, g, n] = sum_k w[m, k, g] v[k, g, n]
        const dWeights = depthwise(tf.transpose(d, [0, 2, 1]), tf.transpose(vd, [2, 1, 0])); // [queries, groups, keys]
        const dV = depthwise(tf.transpose(w, [1, 0, 2]), d);
        const probs = tf.transpose(w, [0, 2, 1]); // [queries, groups, keys]
        const dScores = tf.mul(probs, tf.sub(dWeights, tf.sum(tf.mul(dWeights, probs), -1, true))) as tf.Tensor3D;
        // scores[m, g, n] = sum_k q[m, k, g] kT[k, g, n]
        const dQ = tf.transpose(depthwise(tf.transpose(dScores, [0, 2, 1]), tf.transpose(kd, [2, 1, 0])), [0, 2, 1]);
        const dK = depthwise(tf.transpose(qd, [1, 0, 2]), dScores);
        return [dQ, dK, dV];
      },
    };
  });
  return op(q, kT, v) as tf.Tensor3D;
}
