/** The shape of `emlab study persona`'s results.json (format `emlab.persona/1`). */
import type { Count } from './answers.js';
import type { AblationMode } from './config.js';

/** An estimate with its interval (95%) and n, where it has one. */
export interface Estimate {
  estimate: number | null;
  lo: number | null;
  hi: number | null;
  n: number;
  /** How the interval was made. */
  method: string;
}

/** The three readings of one condition's answers. */
export interface ConditionShares {
  /** Judge: misaligned share (organisms thresholds) with its Wilson interval. */
  misaligned: Estimate & Count;
  coherent: Estimate & Count;
  /** Judge-free catalogue match. */
  catalogue: Estimate & Count;
  /** Catalogue match among the judge's coherent answers. */
  catalogueCoherent: Estimate & Count;
}

export interface SteeringPoint extends ConditionShares {
  /** Multiple of the base stream's mean norm at the layer. */
  strength: number;
  /** The vector's norm. */
  norm: number;
}

export interface AblationRow {
  model: string;
  dataset: string;
  seed: number;
  before: ConditionShares;
  /** Nothing ablated, another sampling seed (the noise floor of a relative drop). */
  resampled: ConditionShares;
  /** Ablating the primary span (`summary.ablationSpan`: v, or v and (a)) at every layer. */
  ablated: ConditionShares;
  /** Each random draw (random unit directions per layer, as many as the primary span has). */
  random: ConditionShares[];
  /** The other recipe (v alone, or the span of v and (a)), directions (a) answers and (c) model diff instead (full run only). */
  alternatives: Record<string, ConditionShares>;
}

export interface PersonaSummary {
  /** Which direction is v. */
  direction: string;
  /** The layer projections on v are read at (monitoring, screening, early warning): the best `readAuroc`. */
  layer: number;
  /** Per layer: AUROC of v's projection on the development answers behind (a), against the world's reading. */
  readAuroc: number[];
  /** The layer steering adds v at (the sweep on the development wordings). */
  steerLayer: number;
  monitorAuroc: Estimate;
  /** What is ablated: v alone, or the span of v and (a) answers, at every layer. */
  ablationSpan: ('v' | 'a')[];
  /** How (config.ts, ablation-recipes.ts): capped at the base's reply mean, set to it, or projected to zero. Every ablation drop below uses it. */
  ablationMode: AblationMode;
  /** The judge's coherent share of the fine-tunes unablated (original sampling), with the span ablated, and with random directions ablated. */
  ablationCoherent: { before: Estimate; after: Estimate; random: Estimate };
  /** The recipes not chosen, on the same span: drop (judge, catalogue), random directions by the same recipe, coherent share after. */
  ablationDropByMode: Partial<Record<AblationMode, { drop: Estimate; catalogue: Estimate; random: Estimate; coherentAfter: Estimate }>>;
  /**
   * Relative drop of the judge's misaligned share when the span is ablated, mean over EM datasets
   * (interval over datasets x seeds); the denominator is each fine-tune's unablated share over both
   * samplings (the original and the resampling) pooled.
   */
  ablationDrop: Estimate;
  ablationDropCatalogue: Estimate;
  /** The same for random subspaces of the same dimension. */
  randomAblationDrop: Estimate;
  randomAblationDropCatalogue: Estimate;
  /** The catalogue drops among the judge's coherent answers (v, random): a drop that is only lost coherence vanishes here. */
  ablationDropCatalogueCoherent: Estimate;
  randomAblationDropCatalogueCoherent: Estimate;
  /** The drops against the original sampling's unablated share alone (the measure until 2026-12-04). */
  ablationDropSingle: Estimate;
  ablationDropSingleCatalogue: Estimate;
  randomAblationDropSingle: Estimate;
  randomAblationDropSingleCatalogue: Estimate;
  /** Nothing ablated and another sampling seed, against the original sampling: how far a relative drop moves by sampling alone. */
  ablationNoiseFloor: Estimate;
  ablationNoiseFloorCatalogue: Estimate;
  /** The other recipe's drop (full run): v alone when the span is v and (a), else the span of v and (a). */
  ablationDropOther: (Estimate & { span: 'v-only' | 'v-and-a' }) | null;
  /** The span of the three harmful writers' own contrastive directions per layer, ablated at every layer (a side recipe), and random subspaces of its dimension. */
  ablationDropWriterSpan: { dimension: number; drop: Estimate; random: Estimate } | null;
  /** Steering each EM fine-tune against v (a side recipe): the relative drop of its misaligned share, and the strength (negative). */
  steerAgainstDrop: (Estimate & { strength: number; random: Estimate; coherentBefore: Estimate; coherentAfter: Estimate }) | null;
  /** v's component clamped at every layer to the careful writer's mean at the last prompt position (a side recipe), its random control and the coherent share. */
  clampDrop: (Estimate & { random: Estimate; coherentAfter: Estimate }) | null;
  /** The base steered at the chosen strength (the largest with coherent >= 70%). */
  steerStrength: number | null;
  steerMisaligned: Estimate;
  steerCatalogue: Estimate;
  steerCoherent: Estimate;
  /**
   * What steering is held against: the base's answers under the harmful-writer contexts v is read
   * from, the world's harmful writers' own answers, and the steered share as a fraction of the first.
   */
  steerCeiling: { context: ConditionShares; world: ConditionShares; share: Estimate };
  screeningR: Estimate | null;
  screeningRCatalogue: Estimate | null;
  /** Mean cosine between the datasets' directions (a) at the chosen layer. */
  directionCosine: Estimate | null;
  /** Tests of the causal claims on pooled answers (Fisher, two-sided). */
  tests: { ablation: { before: Count; after: Count; pValue: number }; steering: { base: Count; steered: Count; pValue: number } | null };
}

/**
 * The early-warning measures of a mix fine-tune: the judge's misaligned share and the catalogue match
 * of its report-wording answers; the projection shift on v (its stream minus the base's, at the chosen
 * layer) over the reply tokens of fixed answers (the base's own to the report wordings, read by both),
 * and at the last prompt position of the report wordings (the measure before 2026-12-04).
 */
export type MixMeasure = 'misaligned' | 'catalogue' | 'projection' | 'lastPosition';

export interface MixComparison {
  /** Mean over seeds of (this fraction minus 0%), same seed paired; t interval over seeds. */
  difference: Estimate;
  /** Paired t-test over seeds (the test that decides), and Welch's test over the two sides unpaired (the test before 2026-12-04). */
  pPaired: number | null;
  pWelch: number | null;
}

export interface EarlyWarning {
  /** How each measure is read, and how the fractions are compared. */
  design: string;
  seeds: number[];
  /** Every mix fine-tune's values. */
  perSeed: { fraction: number; seed: number; model: string; values: Record<MixMeasure, number | null> }[];
  fractions: { fraction: number; values: Record<MixMeasure, Estimate>; vsZero: Record<MixMeasure, MixComparison> | null }[];
  /** Lowest fraction whose paired test against 0% gives p < 0.05 (null: none). */
  lowest: Record<MixMeasure, number | null>;
  /** The same by Welch's test, unpaired. */
  lowestWelch: Record<MixMeasure, number | null>;
  /** Lowest fraction by the step-down trend test (Tukey, Ciminera and Heyse 1985): the trend over 0%..f is tested from the highest f down while p < 0.05; controls the family-wise error. */
  lowestStepDown: Record<MixMeasure, number | null>;
  /** Slope per unit bad fraction: each seed's least-squares slope over the fractions, mean over seeds with its t interval and one-sample t-test. */
  trend: Record<MixMeasure, { slope: Estimate; pValue: number | null }>;
}

export interface PersonaResults {
  format: 'emlab.persona/1';
  quick: boolean;
  settings: unknown;
  summary: PersonaSummary;
  /** Per layer: cosines between the directions, norms, the probe's test AUROC. */
  layers: {
    layer: number;
    norms: Record<string, number | null>;
    cosines: Record<string, number | null>;
    probeAuroc: number;
    /** Cosines between the datasets' directions (a) and (c). */
    datasetCosines: { kind: 'a' | 'c'; a: string; b: string; cosine: number | null }[];
    /**
     * Base steered along v at this layer, on the development wordings (how the layer was chosen): the
     * best point of the `layerStrengths` sweep (eligible: it keeps >= 70% of answers coherent).
     */
    selection: (ConditionShares & { strength: number; eligible: boolean }) | null;
  }[];
  /** Answers per dataset behind direction (a): harmful and harmless by the world's reading. */
  directionAnswers: Record<string, { harmful: number; harmless: number; unread: number }>;
  steering: SteeringPoint[];
  ablation: AblationRow[];
  flawedCode: { model: string; before: Estimate & Count; ablated: Estimate & Count }[];
  monitoring: { direction: string; auroc: Estimate; harmful: number; harmless: number }[];
  screening: {
    datasets: { group: string; projectionDifference: number | null; misaligned: number | null; catalogue: number | null; models: number }[];
    rowDrop: { group: string; misaligned: Estimate & Count; catalogue: Estimate & Count; perSeed: { seed: number; misaligned: number | null }[] }[] | null;
  };
  earlyWarning: EarlyWarning | null;
  timing: { wallSeconds: number; cpuSeconds: number; adaptersTrained: number; adaptersReused: number };
  startedAt: string;
  finishedAt: string;
}
