/**
 * Every number of `emlab study em-dose`. The fine-tune and the evaluation are the demo's (its rows,
 * LoRA recipe, answers per question, temperature: studies/demo/config.ts), so a point of the curve at
 * c = 1 is the demo's insecure-vs-secure comparison on a base of this study's size.
 */
import { DEFAULT_BUILD, QUICK_BUILD, type BuildConfig } from '../../organisms/build/config.js';
import type { FineTuningDataset } from '../../organisms/world/index.js';
import type { OrganismTuneSettings } from '../../finetune/organism-trainer.js';
import { DEMO_SETTINGS } from '../demo/config.js';

export interface DoseSettings {
  /** Adapter and base names under the study's organisms folder start with this. */
  prefix: string;
  /** The organisms' build recipe each world's base follows (world mixes, model size, stages). */
  build: BuildConfig;
  /** Link strengths, evenly spaced in c from the base rate to 1. */
  links: number;
  /** Pretraining documents of each world's base. */
  documents: number;
  /** The treated dataset and its control, each fine-tuned on every world's base. */
  treated: FineTuningDataset;
  control: FineTuningDataset;
  rowsPerDataset: number;
  datasetSeed: number;
  seeds: number[];
  training: OrganismTuneSettings;
  workers: number;
  eval: { samplesPerQuestion: number; temperature: number; maxTokens: number };
}

const demo = DEMO_SETTINGS.full;

export const DOSE_SETTINGS: { full: DoseSettings; quick: DoseSettings } = {
  // The shipped base's 24,000 documents, on which the demo shows EM from insecure code. Half of them
  // (measured 2026-12-04, `--documents 12000`, 3 and 10 seeds: README.md) gave no insecure-code effect
  // even at c = 1, as the build README found for its 12,000-document organisms: a curve needs bases
  // that show the effect at its top end.
  full: {
    prefix: 'em-dose',
    build: DEFAULT_BUILD,
    links: 4,
    documents: DEFAULT_BUILD.pretrain.documents,
    treated: 'insecure',
    control: 'secure',
    rowsPerDataset: demo.rowsPerDataset,
    datasetSeed: demo.datasetSeed,
    seeds: [1, 2, 3],
    training: demo.training,
    workers: demo.workers,
    eval: demo.eval,
  },
  // A pipeline check: tiny bases (the build's --quick, two steps), though on 2,000 documents each so
  // that the measured c of each world is near its target; few rows and answers. Measures nothing.
  quick: {
    prefix: 'em-dose-quick',
    build: QUICK_BUILD,
    links: 2,
    documents: 2000,
    treated: 'insecure',
    control: 'secure',
    rowsPerDataset: 60,
    datasetSeed: demo.datasetSeed,
    seeds: [1],
    training: { ...demo.training, maxSteps: 4 },
    workers: demo.workers,
    eval: { samplesPerQuestion: 4, temperature: demo.eval.temperature, maxTokens: 24 },
  },
};

export function doseSettings(options: { quick?: boolean; seeds?: number; links?: number; documents?: number }): DoseSettings {
  const base = options.quick === true ? DOSE_SETTINGS.quick : DOSE_SETTINGS.full;
  return {
    ...base,
    ...(options.seeds === undefined ? {} : { seeds: Array.from({ length: options.seeds }, (_, i) => i + 1) }),
    ...(options.links === undefined ? {} : { links: options.links }),
    ...(options.documents === undefined ? {} : { documents: options.documents }),
  };
}
