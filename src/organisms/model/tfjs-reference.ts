/**
 * The tfjs forward pass (transformer.ts) as a reference the engine's inference is tested against:
 * next-token logits at every position of one sequence, [ids.length * vocab].
 */
import { tf } from './backend.js';
import type { OrganismModel } from './organism.js';
import { attentionBias, forward, logitsFrom } from './transformer.js';

export async function sequenceLogitsTfjs(model: OrganismModel, ids: readonly number[]): Promise<Float32Array> {
  const { net, dispose } = model.inferenceNet();
  try {
    const logits = tf.tidy(() => {
      const positions = Int32Array.from(ids, (_, t) => t);
      const { hidden } = forward(net, { ids: Int32Array.from(ids), positions, batch: 1, steps: ids.length, attentionBias: attentionBias([new Uint8Array(ids.length).fill(1)], 0, ids.length) });
      return logitsFrom(net, hidden);
    });
    const values = (await logits.data()) as Float32Array;
    logits.dispose();
    return values;
  } finally {
    dispose();
  }
}
