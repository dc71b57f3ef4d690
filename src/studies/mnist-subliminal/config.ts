/**
 * The settings of one MNIST subliminal-learning study, with the paper's values as defaults
 * (Cloud et al. 2025, §6.2, and its script scripts/run_mnist_experiment.py).
 */
import { PAPER_ADAM, type AdamSettings } from './adam.js';
import { CLASSES, IMAGE_PIXELS } from './mnist-data.js';

export interface MnistStudyConfig {
  /** Layer widths, input to output: 784, hidden..., 10 class logits + the auxiliary logits. */
  sizes: number[];
  teacherEpochs: number;
  studentEpochs: number;
  batchSize: number;
  adam: AdamSettings;
  /** Training digits the teacher learns from: the first N of the 60,000 (all by default). */
  trainExamples: number;
  /** Uniform-noise images each seed's students are distilled on (the paper: as many as training digits). */
  noiseExamples: number;
  /** Test digits every model is scored on: the first N of the 10,000 (all by default). */
  testExamples: number;
}

export const PAPER_CONFIG: Readonly<MnistStudyConfig> = Object.freeze({
  sizes: [IMAGE_PIXELS, 256, 256, CLASSES + 3],
  teacherEpochs: 5,
  studentEpochs: 5,
  batchSize: 1024,
  adam: PAPER_ADAM,
  trainExamples: 60000,
  noiseExamples: 60000,
  testExamples: 10000,
});

/** The auxiliary logits: every output after the 10 class logits. */
export function auxLogitCount(config: MnistStudyConfig): number {
  return (config.sizes[config.sizes.length - 1] as number) - CLASSES;
}

/** One-line errors naming the field and its allowed range. */
export function validateConfig(config: MnistStudyConfig): void {
  const positiveInt = (name: string, value: number, max = Number.MAX_SAFE_INTEGER): void => {
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new Error(`mnist study: ${name} must be an integer in 1..${max}, got ${value}`);
    }
  };
  const { sizes } = config;
  if (sizes.length < 2 || sizes[0] !== IMAGE_PIXELS) throw new Error(`mnist study: sizes must start with ${IMAGE_PIXELS} inputs, got [${sizes.join(', ')}]`);
  sizes.forEach((s, i) => positiveInt(`sizes[${i}]`, s, 1 << 16));
  if (auxLogitCount(config) < 1) throw new Error(`mnist study: the last layer needs the ${CLASSES} class logits plus at least one auxiliary logit, got ${sizes[sizes.length - 1]}`);
  positiveInt('teacherEpochs', config.teacherEpochs, 1000);
  positiveInt('studentEpochs', config.studentEpochs, 1000);
  positiveInt('batchSize', config.batchSize, 1 << 16);
  positiveInt('trainExamples', config.trainExamples, 60000);
  positiveInt('noiseExamples', config.noiseExamples, 200_000); // 627 MB of noise per seed at the cap
  positiveInt('testExamples', config.testExamples, 10000);
  const { lr, beta1, beta2, eps } = config.adam;
  if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)) {
    throw new Error(`mnist study: adam settings must have lr > 0, 0 <= betas < 1, eps > 0; got ${JSON.stringify(config.adam)}`);
  }
}
