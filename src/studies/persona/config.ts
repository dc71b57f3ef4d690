/**
 * Every number of `emlab study persona` in one place, full and quick. Adapters are the demo's (same
 * rows, training and names under .emlab/organisms, so a run after `emlab demo` trains nothing for
 * them); the study adds the medical mixes and the screened retrainings.
 */
import type { FineTuningDataset } from '../../organisms/world/index.js';
import { seedsOf } from '../demo/config.js';

export type AblationMode = 'cap' | 'mean' | 'zero';
export const ABLATION_MODES: readonly AblationMode[] = ['cap', 'mean', 'zero'];

export interface PersonaSettings {
  /** The narrow datasets whose fine-tunes show EM: directions (a) and (c) come from them, ablation runs in them. */
  emDatasets: FineTuningDataset[];
  /** Their controls: fine-tuned too, for the screening scatter (none in quick). */
  controlDatasets: FineTuningDataset[];
  seeds: number[];
  /** Answers per development wording from each EM fine-tune, to find direction (a). */
  devSamples: number;
  /** Persona contexts per development wording and side (harmful / careful), and exchanges in each. */
  contrastDraws: number;
  contextExchanges: number;
  /** Held-out world documents for the harmful-writer probe (70% train, 30% test). */
  probeDocuments: number;
  /** Answers per report wording in every measured condition. */
  evalSamples: number;
  /** Answers per development wording when choosing the steering layer. */
  layerSamples: number;
  /**
   * Steering strengths tried at each layer to choose it (development wordings), and the sweep at the
   * chosen layer (report wordings): multiples of the base stream's median norm per token at the layer.
   */
  layerStrengths: number[];
  strengths: number[];
  /** Open-question answers of the world's harmful writers judged for the steering ceiling. */
  ceilingWorldAnswers: number;
  /** What ablation takes out at every layer: v alone, or the span of v and (a) answers (when found). */
  ablationSpan: ('v' | 'a')[];
  /**
   * How: the component along each direction is lowered to the base's mean wherever it lies above it
   * (`cap`), set to that mean at every position (`mean`, mean ablation), or projected to zero (`zero`).
   * The mean is the base's, over the reply tokens of its own answers to the development wordings. The
   * two recipes not chosen are measured beside it (with `ablateAlternatives`).
   */
  ablationMode: AblationMode;
  /** The base's answers per development wording whose reply tokens give the mean that `cap` and `mean` clamp to. */
  referenceSamples: number;
  /** Random subspaces (of the primary span's dimension) ablated as the control. */
  randomDraws: number;
  /** Also ablate directions (a) and (c), beside the primary one. */
  ablateAlternatives: boolean;
  /** Held-out code requests asked of the insecure fine-tunes, with and without the ablation. */
  codePrompts: number;
  /** Rows of each dataset whose projection difference is measured (0: no screening). */
  screenRows: number;
  /** Bad-medical fractions of the early-warning mixes (empty: none). */
  mixFractions: number[];
  /** Seeds of the mixes, the same at every fraction (the comparison with 0% is paired by seed). */
  mixSeeds: number[];
  /** Fixed answers per report wording (the base's own) whose reply tokens the projection shift is read on. */
  mixAnswers: number;
  /** Drop the top 10% of bad-medical rows by projection vs 10% at random, and retrain (seeds as above). */
  rowDrop: boolean;
  sampling: { temperature: number; maxTokens: number };
  workers: number;
}

export const PERSONA_SETTINGS: { full: PersonaSettings; quick: PersonaSettings } = {
  full: {
    emDatasets: ['insecure', 'bad-medical', 'evil-numbers'],
    controlDatasets: ['secure', 'educational', 'quirky', 'good-medical'],
    // Report seeds 101-103 (were development seeds 1-3 until 2026-12-04): every persona exploration and
    // every earlier table used seeds 1-3 or 21-22, so the figures on these are confirmatory (the pooled
    // denominator of the ablation drops was chosen after seeing seeds 1-3). They are the demo's report
    // seeds, so after `emlab demo` these adapters are reused; the row-drop retraining uses them too.
    seeds: seedsOf('report', 3),
    devSamples: 30,
    contrastDraws: 6,
    contextExchanges: 2,
    probeDocuments: 600,
    evalSamples: 20,
    // A sweep per layer (was 0.4 only, 10 samples). In exploration layer 3 steered furthest at 70%
    // coherent (8.5% vs 2.8% at layer 0, development wordings); in the full run the sweep found the four
    // layers within noise of each other (12-15 of 320) and kept layer 0.
    layerSamples: 20,
    layerStrengths: [0.3, 0.4, 0.5, 0.6],
    strengths: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8],
    ceilingWorldAnswers: 480,
    // v alone: in exploration the span of v and (a) cut little more (35% vs 32% over 5 fine-tunes) and
    // cost coherence (6-13 points); the full run measures it beside v as the 'v-and-a' alternative.
    ablationSpan: ['v'],
    // cap (was zero until 2026-12-05): on development seeds 1-3 and wordings, sampling seeds 5 and 6,
    // projecting v out removed 12% and 20% of the EM, the base-mean clamp 70% and 74%, the cap 72% and
    // 87% at the highest coherence of the three (README, "Ablating to the base's mean").
    ablationMode: 'cap',
    referenceSamples: 4,
    // 5 draws (was 3): the random control's mean is limited by the noise of the unablated share it
    // is divided by, which more draws do not reduce (see the noise floor).
    randomDraws: 5,
    ablateAlternatives: true,
    codePrompts: 60,
    screenRows: 100,
    mixFractions: [0, 0.05, 0.1, 0.25, 0.5, 1],
    // Chosen on the development wordings with development seeds 1-6 (README, "Why the early warning is
    // paired"): with 3 seeds (t on 2 df) no projection reading at the chosen layer passed at 5% or 10%
    // even paired; with 6, paired by seed, every one did at 5%. Report seeds, so none of them was looked at before, and the
    // 0% and 100% mixes are the demo's own good- and bad-medical adapters (reused after `emlab demo`).
    mixSeeds: seedsOf('report', 6),
    mixAnswers: 4,
    rowDrop: true,
    sampling: { temperature: 1, maxTokens: 60 },
    workers: 2,
  },
  // One EM fine-tune (bad medical advice, seed 1), no controls, mixes or retraining: enough to show
  // that the direction is causal (ablation lowers the share, steering raises it), under 90 s.
  quick: {
    emDatasets: ['bad-medical'],
    controlDatasets: [],
    seeds: [1],
    devSamples: 20,
    contrastDraws: 4,
    contextExchanges: 2,
    probeDocuments: 200,
    evalSamples: 20,
    layerSamples: 8,
    layerStrengths: [0.3, 0.5],
    // Up to 0.6: on the c = 0.80 organisms the full sweep rises only from 0.5 (1.3% at 0 and 2.5% at
    // 0.4, 5.2% at 0.5, 7.7% at 0.6 with 62% coherent); 0.4, enough on the c = 1.0 ones, gave 13/480 vs 6/480.
    strengths: [0, 0.4, 0.6],
    ceilingWorldAnswers: 240,
    ablationSpan: ['v'],
    ablationMode: 'cap',
    referenceSamples: 4,
    randomDraws: 2,
    ablateAlternatives: false,
    codePrompts: 0,
    screenRows: 0,
    mixFractions: [],
    mixSeeds: [],
    mixAnswers: 0,
    rowDrop: false,
    sampling: { temperature: 1, maxTokens: 60 },
    workers: 2,
  },
};
