/**
 * The MNIST subliminal-learning study (Cloud et al. 2025, §6.2): a teacher MLP, students distilled
 * on noise through auxiliary logits, and their test accuracy beside the paper's. Nothing else of
 * emlab is imported. Design, speed and deviations: README.md here.
 */
export { runMnistSubliminal, DEFAULT_SEEDS } from './study.js';
export type { MnistSubliminalOptions, MnistProgress } from './study.js';
export { formatMnistTable, writeMnistResults, PAPER_FIG10B, ARM_ORDER, ARM_LABELS } from './results.js';
export type { MnistSubliminalResults, ArmName, ArmResult, PairedComparison, SeedRecord, MnistTiming } from './results.js';
export { PAPER_CONFIG } from './config.js';
export type { MnistStudyConfig } from './config.js';
export { STUDENT_ARMS } from './jobs.js';
export type { StudentArm, EpochRecord } from './jobs.js';
export { loadMnist } from './mnist-data.js';
export type { MnistData, DigitSet } from './mnist-data.js';
export { meanInterval } from './interval.js';
export type { MeanInterval } from './interval.js';
