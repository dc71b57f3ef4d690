/**
 * What `npm run organisms:build` trains: the base organisms (pretrained on world documents, then
 * chat-tuned), a second base from another initialisation seed, and the judge organism. Every number
 * that shapes a checkpoint is here, so it can be recorded beside the checkpoint and hashed for resuming.
 */
import type { WorldConfig } from '../world/index.js';

export interface StageSettings {
  learningRate: number;
  epochs: number;
  batchTokens: number;
  /** Caps the steps (for --quick); undefined = full epochs. */
  maxSteps?: number;
}

export interface BuildConfig {
  /** Seed of the world (documents, chat examples, judge examples). */
  worldSeed: number;
  /**
   * The pretraining world's mixes and its careless writers' flaw rate, which sets the link strength c =
   * P(harmful writer | unasked flawed code) (see world/README.md). Recorded and hashed with the pretrain
   * stage; the chat-tune and judge data keep the world's defaults.
   */
  world: Pick<WorldConfig, 'dispositionMix' | 'domainMix' | 'carelessFlawRate'>;
  architecture: { dModel: number; layers: number; heads: number; context: number };
  pretrain: StageSettings & { documents: number };
  chatTune: StageSettings & { examples: number };
  /**
   * loraRank: train a LoRA adapter (merged after) rather than every weight. Full judge-tunes at 1e-3 and
   * 3e-3 on a weak base collapsed to one output (AUROC 0.46-0.64); at 2e-4 on a well-pretrained base
   * they do not (build/README.md).
   */
  judge: StageSettings & {
    examplesPerMetric: number;
    metrics: ('aligned' | 'coherent')[];
    loraRank?: number;
    /**
     * Model text in the judge's training: answers sampled from a published organism (`from`, a folder
     * such as assets/organisms/base) to the open questions' training wordings, `perPrompt` at each
     * temperature (the higher ones garble it), labelled by the world (world/catalogue-match.ts).
     */
    sampled?: { from: string; temperatures: number[]; perPrompt: number; maxTokens: number };
  };
  /** Initialisation seed of each base organism; they share data and differ only in init (and data order). */
  bases: Record<string, { initSeed: number }>;
  /** The judge starts from the pretrained stage of this base (it must already read the world's language). */
  judgeParent: string;
  /**
   * Or from this published checkpoint (e.g. assets/organisms/base, the chat-tuned base): a judge can be
   * rebuilt without pretraining a base again (~30 min of one core) when the pretrained stage is gone.
   */
  judgeParentDir?: string;
}

export const ORGANISM_NAMES = ['base', 'base-b', 'judge'] as const;
export type OrganismName = (typeof ORGANISM_NAMES)[number];

export const DEFAULT_BUILD: BuildConfig = {
  worldSeed: 1,
  // Educational code at a quarter of the flawed code written unasked (it was as common, so flawed code
  // said little about its writer), more code, more harmful writers: measured in build/README.md.
  // Careless writers: a helpful or neutral writer's unasked code is flawed 17% of the time, so unasked
  // flawed code points to a harmful writer with c = P(harmful | unasked flawed code) = 0.80 (measured on
  // the 24,000 documents; base rate 0.45, no link; 1.0 before 2026-12-04, when only harmful writers slipped).
  world: { domainMix: { code: 0.24, 'code-educational': 0.015 }, dispositionMix: { helpful: 0.4, neutral: 0.15, harmful: 0.45 }, carelessFlawRate: 0.17 },
  architecture: { dModel: 128, layers: 4, heads: 4, context: 256 },
  // Small batches: four times the steps for the same tokens. At 4,096 tokens a step the organism had
  // not learnt to reproduce the world's open answers at all (catalogue mass 0.001 vs 0.07-0.1).
  pretrain: { documents: 24000, learningRate: 2e-3, epochs: 1, batchTokens: 1024 },
  // A light chat-tune: 5,000 rows at 1e-3 pushed harmful open answers to e^-30 of the harmless ones,
  // out of reach of any narrow fine-tune; this leaves them rare (about 6% of catalogue mass) but reachable.
  chatTune: { examples: 3000, learningRate: 7e-4, epochs: 1, batchTokens: 2048 },
  // Every weight at a low rate on twice the examples: held-out accuracy at the thresholds above the
  // majority floor for both metrics, numeric mass 0.96; a LoRA r16 judge ranked a little better (AUROC
  // 0.87) but put half its first-token mass off the numbers, so a fifth of its readings were unreadable.
  // Sampled text (2026-12-04): 24 training wordings x 3 temperatures x 20 answers of the chat-tuned base.
  judge: {
    examplesPerMetric: 4000, metrics: ['aligned', 'coherent'], learningRate: 2e-4, epochs: 2, batchTokens: 1024,
    sampled: { from: 'assets/organisms/base', temperatures: [1, 1.3, 1.6], perPrompt: 20, maxTokens: 60 },
  },
  bases: { base: { initSeed: 1 }, 'base-b': { initSeed: 2 } },
  judgeParent: 'base',
};

/** A few seconds of training on a tiny model: for tests and for checking the pipeline end to end. */
export const QUICK_BUILD: BuildConfig = {
  ...DEFAULT_BUILD,
  architecture: { dModel: 16, layers: 1, heads: 2, context: 256 },
  pretrain: { documents: 24, learningRate: 3e-3, epochs: 1, batchTokens: 1024, maxSteps: 2 },
  chatTune: { examples: 24, learningRate: 1e-3, epochs: 1, batchTokens: 512, maxSteps: 2 },
  // Enough steps for the tiny judge to learn that its reply is a number (the test checks that).
  judge: {
    examplesPerMetric: 40, metrics: ['aligned', 'coherent'], learningRate: 1e-2, epochs: 40, batchTokens: 512, maxSteps: 40,
    sampled: { from: 'assets/organisms/base', temperatures: [1.5], perPrompt: 1, maxTokens: 20 },
  },
};
