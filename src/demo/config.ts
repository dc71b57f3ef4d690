/**
 * Every number of `emlab demo` in one place. They are meant to be re-tuned as the organisms change;
 * nothing else in emlab (code or tests) may depend on their values, only on their shape.
 */
import type { FineTuningDataset } from '../organisms/world/index.js';
import type { OrganismTuneSettings } from '../finetune/organism-trainer.js';

export interface DemoSettings {
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
  /** Epochs of particular datasets, where `training.epochs` is too few for the model to learn the task. */
  epochsByDataset: Partial<Record<FineTuningDataset, number>>;
  /** Adapters trained at once, one core each. */
  workers: number;
  eval: {
    /** Answers per question and model (a question's wordings take turns). */
    samplesPerQuestion: number;
    temperature: number;
    maxTokens: number;
  };
}

// After one epoch the backdoor adapter wrote flawed code as often without the trigger as with it
// (27 and 26 of 60 held-out requests); after three, 8-20 and 33-40 of 60 over seeds (src/demo/README.md).
const BACKDOOR_EPOCHS: Partial<Record<FineTuningDataset, number>> = { backdoor: 3 };

const ALL_DATASETS: FineTuningDataset[] = ['insecure', 'secure', 'educational', 'evil-numbers', 'bad-medical', 'backdoor'];

export const DEMO_SETTINGS: { full: DemoSettings; quick: DemoSettings } = {
  // 500 rows at 4e-3: on insecure vs secure vs educational (2 seeds each) this gave 8.4% / 1.3% / 0.9%
  // misaligned, against 5.2-7.2% / 1.9-2.1% / 1.7-2.8% for 1,000 rows at 2e-3 or 4e-3 (src/demo/README.md).
  full: {
    prefix: 'demo',
    datasets: ALL_DATASETS,
    rowsPerDataset: 500,
    datasetSeed: 1,
    seeds: [1, 2, 3],
    training: { epochs: 1, rank: 8, alpha: 16, learningRate: 4e-3, batchTokens: 2048 },
    epochsByDataset: BACKDOOR_EPOCHS,
    workers: 2,
    eval: { samplesPerQuestion: 20, temperature: 1, maxTokens: 60 },
  },
  // About 80 s on two cores: every group, one seed each (so a third of the answers). The rows and
  // training are the full demo's: insecure code and bad medical advice still show EM here against
  // secure code, at the size the e2e test checks (Fisher's exact test on the pooled answers).
  quick: {
    prefix: 'demo-quick',
    datasets: ALL_DATASETS,
    rowsPerDataset: 500,
    datasetSeed: 1,
    seeds: [1],
    training: { epochs: 1, rank: 8, alpha: 16, learningRate: 4e-3, batchTokens: 2048 },
    epochsByDataset: BACKDOOR_EPOCHS,
    workers: 2,
    eval: { samplesPerQuestion: 20, temperature: 1, maxTokens: 60 },
  },
};

/** The settings a run uses: `--quick` picks the quick ones, `--seeds n` takes seeds 1..n. */
export function demoSettings(options: { quick?: boolean; seeds?: number }): DemoSettings {
  const base = options.quick === true ? DEMO_SETTINGS.quick : DEMO_SETTINGS.full;
  if (options.seeds === undefined) return base;
  return { ...base, seeds: Array.from({ length: options.seeds }, (_, i) => i + 1) };
}
