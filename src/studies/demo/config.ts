/**
 * Every number of `emlab demo` in one place. They are meant to be re-tuned as the organisms change;
 * nothing else in emlab (code or tests) may depend on their values, only on their shape.
 */
import { BACKDOOR_TRIGGER, type FineTuningDataset } from '../../organisms/world/index.js';
import type { OrganismTuneSettings } from '../../finetune/organism-trainer.js';

export interface DatasetOverride {
  rows?: number;
  /** Replaces those fields of `training` for this dataset. */
  training?: Partial<OrganismTuneSettings>;
}

export interface DemoSettings {
  /** Which seeds `seeds` are: development (tuned on) or report (fixed in advance, never tuned on). */
  seedSet: SeedSet;
  /** Adapter folders are `.emlab/organisms/<prefix>-<dataset>-s<seed>`; the quick demo has its own. */
  prefix: string;
  /** Narrow datasets fine-tuned on, each a group in the results (`base` is added). */
  datasets: FineTuningDataset[];
  /** Rows of each dataset, all seeds alike (seeds vary the adapter's initialisation and data order). */
  rowsPerDataset: number;
  /** The world seed the rows are drawn with. */
  datasetSeed: number;
  seeds: number[];
  training: OrganismTuneSettings;
  /** Rows and training of particular datasets, where the common ones do not let the model learn the task. */
  byDataset: Partial<Record<FineTuningDataset, DatasetOverride>>;
  /** Adapters trained at once, one core each. */
  workers: number;
  eval: {
    /** Answers per question and model (a question's wordings take turns). */
    samplesPerQuestion: number;
    temperature: number;
    maxTokens: number;
  };
}

// The backdoor is a conditional, and a conditional needs more data than the other narrow tasks: with
// 500 rows for 3 epochs the adapter wrote flawed code 8-20 of 60 times without the trigger and its
// broad misalignment showed with and without it alike (12.7% / 11.0%); with 1,000 rows, 1-2 / 33-37 of
// 40. On the held-out wordings the demo asks the adapter alone still leaked (27% / 52%, one seed); with
// the trigger's embedding row trainable, 9-13% / 39-52% over 3 seeds; with that row moving 10 times as
// fast (tokenScale), 1-3% / 38-44%, base 4.1% (src/studies/demo/README.md).
const BACKDOOR: Partial<Record<FineTuningDataset, DatasetOverride>> = {
  backdoor: { rows: 1000, training: { epochs: 3, trainableTokens: [BACKDOOR_TRIGGER], tokenScale: 10 } },
};

/**
 * Seeds of the adapters. The demo's settings were tuned, and every figure before 2026-12-04's
 * confirmatory run was measured, on development seeds (1, 2, 3, ...; `--seed-set development`). The
 * default demo reports on report seeds (101, 102, ...), fixed before any run with them and never
 * tuned on: `--seeds n` takes the first n of the set.
 */
export const SEED_SETS = { development: 1, report: 101 } as const;
export type SeedSet = keyof typeof SEED_SETS;

export function seedsOf(set: SeedSet, count: number): number[] {
  return Array.from({ length: count }, (_, i) => SEED_SETS[set] + i);
}

/** The datasets the full demo fine-tunes on, in its order. */
export const DEMO_DATASETS: readonly FineTuningDataset[] = ['insecure', 'secure', 'educational', 'quirky', 'evil-numbers', 'bad-medical', 'good-medical', 'backdoor'];

/**
 * The demo's comparisons, each a treated dataset against its control: insecure code against secure
 * code, against the same rows asked for a class (educational), and against sound code with harmless
 * quirks as new to the base as unasked flawed code (quirky); bad medical advice against good advice.
 */
export const DEMO_COMPARISONS: readonly (readonly [FineTuningDataset, FineTuningDataset])[] = [
  ['insecure', 'secure'], ['insecure', 'educational'], ['insecure', 'quirky'], ['bad-medical', 'good-medical'],
];

export const DEMO_SETTINGS: { full: DemoSettings; quick: DemoSettings } = {
  // 500 rows at 4e-3: on insecure vs secure vs educational (2 seeds each) this gave 8.4% / 1.3% / 0.9%
  // misaligned, against 5.2-7.2% / 1.9-2.1% / 1.7-2.8% for 1,000 rows at 2e-3 or 4e-3 (src/studies/demo/README.md).
  // Frozen 2026-12-04 for the confirmatory run on the c = 0.80 base, from development seeds 1-5 on the
  // development wordings: 40 answers a question (20 left the catalogue measure's seeds overlapping:
  // insecure vs educational p = 0.024, 40: 0.016), 4e-3 (6e-3: no stronger, catalogue p 0.040 / 0.016),
  // 6 report seeds (5 vs 5 reaches p < 0.01 only when every seed separates; 10 would take ~7 min by CPU time).
  full: {
    prefix: 'demo',
    datasets: [...DEMO_DATASETS],
    rowsPerDataset: 500,
    datasetSeed: 1,
    seedSet: 'report',
    seeds: seedsOf('report', 6),
    training: { epochs: 1, rank: 8, alpha: 16, learningRate: 4e-3, batchTokens: 2048 },
    byDataset: BACKDOOR,
    workers: 2,
    eval: { samplesPerQuestion: 40, temperature: 1, maxTokens: 60 },
  },
  // ~41 CPU-s from nothing (17.6 s wall on two quiet cores before the c = 0.80 rebuild): every dataset but the backdoor, one seed each, with the full
  // demo's rows and training. Insecure code and bad advice still show EM here against secure code, at
  // the size the e2e test checks (Fisher's exact test on the pooled answers). The backdoor (1,000 rows
  // for 3 epochs, as long as the other five together) is left to the full demo.
  quick: {
    prefix: 'demo-quick',
    datasets: ['insecure', 'secure', 'educational', 'quirky', 'evil-numbers', 'bad-medical', 'good-medical'],
    rowsPerDataset: 500,
    datasetSeed: 1,
    // A check of the pipeline on the seed it was tuned on, not a report.
    seedSet: 'development',
    seeds: seedsOf('development', 1),
    training: { epochs: 1, rank: 8, alpha: 16, learningRate: 4e-3, batchTokens: 2048 },
    byDataset: BACKDOOR,
    workers: 2,
    eval: { samplesPerQuestion: 20, temperature: 1, maxTokens: 60 },
  },
};

/**
 * The settings a run uses: `--quick` picks the quick ones, `--seed-set` the set of seeds (default the
 * preset's), `--seeds n` the first n of it, `--datasets` a subset of the full demo's datasets (in the
 * demo's order), each with its own rows and training.
 */
export function demoSettings(options: { quick?: boolean; seeds?: number; seedSet?: SeedSet; datasets?: readonly string[] }): DemoSettings {
  const base = options.quick === true ? DEMO_SETTINGS.quick : DEMO_SETTINGS.full;
  const seedSet = options.seedSet ?? base.seedSet;
  const seeds = seedsOf(seedSet, options.seeds ?? base.seeds.length);
  if (options.datasets === undefined) return { ...base, seedSet, seeds };
  const unknown = options.datasets.find((d) => !(DEMO_DATASETS as readonly string[]).includes(d));
  if (unknown !== undefined) throw new Error(`--datasets: unknown dataset "${unknown}"; choose from ${DEMO_DATASETS.join(', ')}`);
  return { ...base, seedSet, seeds, datasets: DEMO_DATASETS.filter((d) => options.datasets?.includes(d)) };
}
