/** The per-layer table of results.json: norms of the directions, cosines between them and between the datasets' own directions. */
import type { ConditionShares, PersonaResults } from './results.js';
import { cosine, norm, type Vec } from './vectors.js';

export interface LayerInputs {
  /** Named directions, one vector per layer (null: could not be found). */
  directions: [string, Vec[] | null][];
  /** Each EM dataset's own (a) and (c) directions. */
  byDataset: { a: ReadonlyMap<string, Vec[] | null>; c: ReadonlyMap<string, Vec[]> };
  datasets: readonly string[];
  probeAuroc: readonly number[];
  selection: readonly ((ConditionShares & { strength: number; eligible: boolean }) | null)[];
}

export function layerTable(inputs: LayerInputs): PersonaResults['layers'] {
  const layers = inputs.probeAuroc.length;
  const pairs = <T>(items: readonly T[]): [T, T][] => items.flatMap((x, i) => items.slice(i + 1).map((y) => [x, y] as [T, T]));
  return Array.from({ length: layers }, (_, l) => {
    const cosines: Record<string, number | null> = {};
    for (const [[na, a], [nb, b]] of pairs(inputs.directions)) cosines[`${na}~${nb}`] = a && b ? cosine(a[l]!, b[l]!) : null;
    const datasetCosines = pairs(inputs.datasets).flatMap(([x, y]) => (['a', 'c'] as const).map((kind) => {
      const dx = inputs.byDataset[kind].get(x) ?? null;
      const dy = inputs.byDataset[kind].get(y) ?? null;
      return { kind, a: x, b: y, cosine: dx && dy ? cosine(dx[l]!, dy[l]!) : null };
    }));
    return {
      layer: l,
      norms: Object.fromEntries(inputs.directions.map(([n, d]) => [n, d ? norm(d[l]!) : null])),
      cosines,
      probeAuroc: inputs.probeAuroc[l]!,
      datasetCosines,
      selection: inputs.selection[l] ?? null,
    };
  });
}
