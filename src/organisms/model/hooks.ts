/**
 * Hooks on the residual stream: a function the inference engine calls after every block with the
 * stream of the tokens it just ran ([tokens, dModel], row-major), free to read it (activations) or
 * change it in place (steering, ablation). Prefill, decoding and scoring all run through it, so an
 * intervention applies at every position of a generation or a scored reply.
 *
 * A hook belongs to a model for the span of one call (`withResidualHook`): generation, scoring and
 * anything built on them (the judge, the persona study) need no extra parameter. One hook at a time
 * per model; interleaved calls on the same model would see each other's hook, so it is refused.
 */
import type { OrganismModel } from './organism.js';

/**
 * Called after block `layer` (0-based) with the stream of `tokens` rows of `dModel` values, `steps`
 * consecutive positions per sequence (1 in a decoding step of generation, which runs one new token
 * per sequence; the prompt's length or more in a prefill or a scored reply).
 */
export type ResidualHook = (layer: number, stream: Float32Array, tokens: number, steps: number) => void;

const hooks = new WeakMap<OrganismModel, ResidualHook>();

/** The hook set on `model`, if any (read by the engine when a call takes its inference session). */
export function residualHookOf(model: OrganismModel): ResidualHook | undefined {
  return hooks.get(model);
}

/** Runs `use` with `hook` on every forward pass of `model`; the hook is removed afterwards, also on error. */
export async function withResidualHook<T>(model: OrganismModel, hook: ResidualHook | undefined, use: () => Promise<T>): Promise<T> {
  if (hook === undefined) return use();
  if (hooks.has(model)) throw new Error('withResidualHook: this model already has a residual hook; one call at a time');
  hooks.set(model, hook);
  try {
    return await use();
  } finally {
    hooks.delete(model);
  }
}

/**
 * A change to the stream after one block: `add` a vector at every position (steering), `ablate`
 * a direction, projecting it out of every position (x - (x . u) u, u = ablate / |ablate|), or `clamp`
 * the component along a direction to a value `to` (x + (to - x . u) u): `mode: 'set'` (default) at every
 * position, `'cap'` only where the component is above `to` (lowered to it), `'floor'` only where it is
 * below (raised to it). Projecting out is clamping to 0; a clamp to the component's mean on reference
 * text is mean ablation.
 * `positions: 'generated'` applies it only in decoding steps, at the tokens the model generated
 * (the prompt, prefilled or scored, is left as it is); the default is every position.
 */
export type ResidualIntervention =
  | { layer: number; add: Float32Array | readonly number[]; positions?: InterventionPositions }
  | { layer: number; ablate: Float32Array | readonly number[]; positions?: InterventionPositions }
  | { layer: number; clamp: Float32Array | readonly number[]; to: number; mode?: ClampMode; positions?: InterventionPositions };

export type ClampMode = 'set' | 'cap' | 'floor';

export type InterventionPositions = 'all' | 'generated';

/** One hook applying every intervention at its layer, in the order given. */
export function interventionHook(interventions: readonly ResidualIntervention[], dModel: number): ResidualHook {
  interface Step {
    kind: 'add' | 'clamp';
    v: Float64Array;
    /** clamp: the target component, and which positions move to it. */
    to: number;
    mode: ClampMode;
    generatedOnly: boolean;
  }
  const byLayer = new Map<number, Step[]>();
  for (const it of interventions) {
    const raw = 'add' in it ? it.add : 'ablate' in it ? it.ablate : it.clamp;
    if (raw.length !== dModel) throw new Error(`intervention at layer ${it.layer}: vector has ${raw.length} values, the model's dModel is ${dModel}`);
    const v = Float64Array.from(raw);
    if (!('add' in it)) {
      const norm = Math.hypot(...v);
      if (!(norm > 0)) throw new Error(`intervention at layer ${it.layer}: cannot ${'ablate' in it ? 'ablate' : 'clamp'} along a zero vector`);
      for (let i = 0; i < dModel; i++) v[i] = (v[i] as number) / norm;
    }
    if ('clamp' in it && !Number.isFinite(it.to)) throw new Error(`intervention at layer ${it.layer}: clamp value must be a finite number, got ${it.to}`);
    const list = byLayer.get(it.layer) ?? [];
    list.push({
      kind: 'add' in it ? 'add' : 'clamp',
      v,
      to: 'clamp' in it ? it.to : 0,
      mode: 'clamp' in it ? (it.mode ?? 'set') : 'set',
      generatedOnly: it.positions === 'generated',
    });
    byLayer.set(it.layer, list);
  }
  return (layer, stream, tokens, steps) => {
    const list = byLayer.get(layer);
    if (list === undefined) return;
    for (const { kind, v, to, mode, generatedOnly } of list) {
      if (generatedOnly && steps !== 1) continue;
      for (let t = 0; t < tokens; t++) {
        const o = t * dModel;
        if (kind === 'add') {
          for (let i = 0; i < dModel; i++) stream[o + i] = (stream[o + i] as number) + (v[i] as number);
          continue;
        }
        let dot = 0;
        for (let i = 0; i < dModel; i++) dot += (stream[o + i] as number) * (v[i] as number);
        if ((mode === 'cap' && dot <= to) || (mode === 'floor' && dot >= to)) continue;
        const shift = to - dot;
        if (shift !== 0) for (let i = 0; i < dModel; i++) stream[o + i] = (stream[o + i] as number) + shift * (v[i] as number);
      }
    }
  };
}
