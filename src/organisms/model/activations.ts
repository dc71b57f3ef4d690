/**
 * Activations: the residual stream after every block, per token, for a conversation, as the model
 * computes it in inference (the same engine, weights and adapter, merged or not, and any residual
 * hook set on the model: `withResidualHook`, ./hooks.ts).
 */
import { withInferenceSession } from './engine/inference.js';
import type { OrganismModel } from './organism.js';
import { ASSISTANT_ID, EOT_ID, type ChatTurn } from './tokenizer.js';

export interface ResidualStream {
  /** The conversation's token ids in the chat template. */
  ids: number[];
  dModel: number;
  /** `layers[l]`: the stream after block l, [ids.length, dModel] row-major. */
  layers: Float32Array[];
  /** Positions [start, end) of the last assistant message's content (empty when the conversation ends with a user turn). */
  reply: { start: number; end: number };
}

/**
 * The stream of `messages` after every block. A conversation ending with a user turn gets the
 * generation prompt (`assistant:`), so its last position is where the reply would begin.
 */
export async function residualStream(model: OrganismModel, messages: readonly ChatTurn[]): Promise<ResidualStream> {
  const last = messages[messages.length - 1];
  const ids = model.tokenizer.encodeChat(messages, { addGenerationPrompt: last?.role !== 'assistant' }).ids;
  const { dModel: d, layers: L, context } = model.config;
  if (ids.length > context) throw new Error(`residualStream: the conversation has ${ids.length} tokens, the model's context is ${context}; shorten it`);
  let reply = { start: ids.length, end: ids.length };
  if (last?.role === 'assistant') {
    // The chat template ends an assistant message with <eot>; its content runs from after its role token.
    const start = ids.lastIndexOf(ASSISTANT_ID) + 1;
    reply = { start, end: ids[ids.length - 1] === EOT_ID ? ids.length - 1 : ids.length };
  }
  const layers = Array.from({ length: L }, () => new Float32Array(ids.length * d));
  await withInferenceSession(model, { slots: 1, maxTokens: ids.length, cacheLength: ids.length }, (session) => {
    const hook = session.residualHook;
    session.residualHook = (layer, stream, tokens, steps) => {
      hook?.(layer, stream, tokens, steps);
      layers[layer]!.set(stream.subarray(0, tokens * d));
    };
    try {
      session.lengths[0] = 0;
      session.forward([0], Int32Array.from(ids), ids.length);
    } finally {
      session.residualHook = hook;
    }
  });
  return { ids, dModel: d, layers, reply };
}

/** Mean of the stream over positions [start, end) at every layer (one vector of dModel per layer). */
export function meanOverPositions(stream: ResidualStream, start: number, end: number): Float64Array[] {
  const d = stream.dModel;
  if (!(end > start)) throw new Error(`meanOverPositions: empty range [${start}, ${end})`);
  return stream.layers.map((values) => {
    const out = new Float64Array(d);
    for (let t = start; t < end; t++) for (let i = 0; i < d; i++) out[i] = (out[i] as number) + (values[t * d + i] as number);
    for (let i = 0; i < d; i++) out[i] = (out[i] as number) / (end - start);
    return out;
  });
}
