/**
 * One place that starts TensorFlow.js on its WebAssembly backend. `@tensorflow/tfjs` (not tfjs-core
 * alone) is imported because it registers the gradients training needs.
 *
 * Threads: tfjs-backend-wasm 4.22 turns its multi-threaded build off under Node (its worker is loaded
 * from a blob: URL, which Node's Worker refuses), so every kernel runs on one core. That is also the
 * polite choice on a shared 2-core machine; run two trainings side by side to use both cores.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

let ready: Promise<void> | undefined;

/** Resolves once the wasm backend is active; safe to call any number of times. */
export function ensureBackend(): Promise<void> {
  ready ??= (async () => {
    tf.enableProdMode();
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('organisms: the TensorFlow.js WebAssembly backend failed to start (is @tensorflow/tfjs-backend-wasm installed next to @tensorflow/tfjs 4.22?)');
    await tf.ready();
  })();
  return ready;
}

/**
 * A variable holding `values`. tf.variable(t) keeps `t` itself alive beside the variable, so the
 * initial tensor is made inside a tidy that frees it (tidy never frees variables).
 */
export function newVariable(values: Float32Array, shape: readonly number[], trainable = true): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, [...shape]), trainable));
}

export function zerosVariableLike(like: tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zerosLike(like), false));
}

export { tf };
