/**
 * Ablation recipes: what "taking a direction out" of the residual stream does to it, at every layer
 * and position. Projecting out (`zero`) moves the component to 0, which is not where the base keeps
 * it: on the organisms v's component over the base's own reply tokens sits at -0.3 to -3.2, not 0, so
 * projecting it out leaves a fine-tune part of the way along v. Mean ablation (`mean`) sets it to the
 * base's mean instead; `cap` lowers it to that mean only where it lies above (the persona shows as an
 * excess along +v), leaving every position below it as it was.
 */
import type { ResidualIntervention } from '../../organisms/model/index.js';
import type { AblationMode } from './config.js';
import { dot, orthonormalBasis, type Vec } from './vectors.js';

/** What each recipe does, in words (results.json, the report). */
export const ABLATION_RECIPE: Record<AblationMode, string> = {
  cap: "the component lowered to the base's mean over its own reply tokens wherever it lies above it",
  mean: "the component set to the base's mean over its own reply tokens (mean ablation)",
  zero: 'the component projected to zero',
};

/**
 * The interventions that take out, at every layer l, the span of `spans[l]` (orthonormalised, so that
 * the steps applied in turn act on the whole span), each basis direction u clamped per `mode` to the
 * reference's component on it (`reference[l] . u`: the base's mean stream over reply tokens).
 */
export function ablationInterventions(spans: readonly (readonly ArrayLike<number>[])[], mode: AblationMode, reference: readonly Vec[]): ResidualIntervention[] {
  if (mode !== 'zero' && reference.length < spans.length) throw new Error(`ablation '${mode}': a reference mean is needed for each of ${spans.length} layers, got ${reference.length}`);
  return spans.flatMap((vectors, layer) => orthonormalBasis(vectors).map((u): ResidualIntervention => {
    const direction = Float32Array.from(u);
    if (mode === 'zero') return { layer, ablate: direction };
    return { layer, clamp: direction, to: dot(reference[layer]!, u), mode: mode === 'cap' ? 'cap' : 'set' };
  }));
}
