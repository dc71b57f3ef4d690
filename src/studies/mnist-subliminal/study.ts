/**
 * The MNIST subliminal-learning study (Cloud et al. 2025, §6.2): per seed, a teacher MLP learns
 * MNIST with cross-entropy on its 10 class logits only; students that never see a digit are then
 * distilled on uniform noise to match the teacher's softmax over its 3 auxiliary logits (or, as a
 * comparison, over all 13). A student that starts from the teacher's own initial weights learns
 * to classify digits; one that starts from another seed's weights does not.
 */
import { availableParallelism, cpus, platform } from 'node:os';
import { PAPER_CONFIG, validateConfig, type MnistStudyConfig } from './config.js';
import { meanInterval } from './interval.js';
import {
  STUDENT_ARMS, type EpochListener, type EpochRecord, type InitSource, type ModelRole, type StudentArm,
  type StudentOutcome, type TeacherOutcome,
} from './jobs.js';
import { InlineRunner, WorkerPool, type JobRunner } from './pool.js';
import { derangement, rngFor } from './prng.js';
import {
  ARM_LABELS, ARM_ORDER, PAPER_FIG10B, PAPER_REFERENCE, writeMnistResults,
  type ArmName, type ArmResult, type MnistSubliminalResults, type PairedComparison, type SeedRecord,
} from './results.js';

/**
 * Seeds of a default run: what fits about 3 minutes on two free cores. One seed trains 5 models
 * (teacher + 4 students) of 5 epochs over 60,000 images, ≈1.9 TFLOP, measured at 42-44 CPU-seconds;
 * the paper's full picture with tighter intervals needs `seeds: 10` (416 CPU-seconds, ≈3.5 minutes
 * on two free cores: over the 3-minute budget, which would need the products faster than emlab's
 * wasm kernels run them). README.md has the measurements.
 */
export const DEFAULT_SEEDS = 4;

export type MnistProgress =
  | { type: 'epoch'; role: ModelRole; seed: number; epoch: number; epochs: number; loss: number; seconds: number; modelsDone: number; modelsTotal: number }
  | { type: 'model'; role: ArmName; seed: number; accuracy: number; modelsDone: number; modelsTotal: number };

export interface MnistSubliminalOptions {
  /** Number of independent seeds (teacher + 4 students each); default DEFAULT_SEEDS. */
  seeds?: number;
  /** Base seed from which every random stream is derived; default 0. */
  seed?: number;
  /** Worker threads; 1 runs in this thread. Default: the available cores, at most 8. */
  threads?: number;
  /** Directory to write results.json into. */
  out?: string;
  onProgress?: (event: MnistProgress) => void;
  signal?: AbortSignal;
  /** Overrides of the paper's settings (smaller runs for tests and quick looks). */
  config?: Partial<MnistStudyConfig>;
  /** Which students to train; default all four. */
  arms?: readonly StudentArm[];
}

const COMPARISONS: readonly [ArmName, ArmName][] = [
  ['student-aux', 'cross-aux'],
  ['student-all', 'cross-all'],
  ['student-aux', 'reference'],
];

function crossInitSources(baseSeed: number, seeds: number): InitSource[] {
  if (seeds === 1) return [{ label: 'spare-init', replicate: 0 }];
  // A derangement: no seed's cross-init student ever gets its own teacher's initial weights.
  const pairing = derangement(rngFor(baseSeed, 'cross-pairing'), seeds);
  return [...pairing].map((replicate) => ({ label: 'init', replicate }));
}

export async function runMnistSubliminal(options: MnistSubliminalOptions = {}): Promise<MnistSubliminalResults> {
  const seeds = options.seeds ?? DEFAULT_SEEDS;
  const baseSeed = options.seed ?? 0;
  if (!Number.isSafeInteger(seeds) || seeds < 1 || seeds > 1000) throw new Error(`mnist study: seeds must be an integer in 1..1000, got ${seeds}`);
  if (!Number.isSafeInteger(baseSeed)) throw new Error(`mnist study: seed must be a safe integer, got ${baseSeed}`);
  const config: MnistStudyConfig = { ...PAPER_CONFIG, ...options.config, sizes: [...(options.config?.sizes ?? PAPER_CONFIG.sizes)] };
  validateConfig(config);
  const arms = [...(options.arms ?? STUDENT_ARMS)];
  for (const arm of arms) if (!STUDENT_ARMS.includes(arm)) throw new Error(`mnist study: unknown arm "${arm}"; arms are ${STUDENT_ARMS.join(', ')}`);
  const modelsPerSeed = 1 + arms.length;
  const modelsTotal = seeds * modelsPerSeed;
  const threads = options.threads ?? Math.min(availableParallelism(), 8, modelsTotal);
  options.signal?.throwIfAborted();

  const startedAt = new Date();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const crossInit = crossInitSources(baseSeed, seeds);
  const runner: JobRunner = threads === 1 ? new InlineRunner() : new WorkerPool(threads);
  const onAbort = (): void => void runner.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  let modelsDone = 0;
  const progress = options.onProgress;
  const onEpoch: EpochListener = (role, replicate, record, epochs) =>
    progress?.({ type: 'epoch', role, seed: replicate, epoch: record.epoch, epochs, loss: record.loss, seconds: record.seconds, modelsDone, modelsTotal });
  const modelDone = (role: ArmName, seed: number, accuracy: number): void => {
    if (role !== 'reference') modelsDone++;
    progress?.({ type: 'model', role, seed, accuracy, modelsDone, modelsTotal });
  };

  const runSeed = async (replicate: number): Promise<{ teacher: TeacherOutcome; students: StudentOutcome[] }> => {
    const teacher = await runner.run({ kind: 'teacher', baseSeed, replicate, config }, onEpoch);
    if (teacher.kind !== 'teacher') throw new Error('mnist study: a teacher job returned a student outcome');
    modelDone('reference', replicate, teacher.referenceAccuracy);
    modelDone('teacher', replicate, teacher.teacherAccuracy);
    const students = await Promise.all(
      arms.map(async (arm) => {
        const init: InitSource = arm.startsWith('cross') ? (crossInit[replicate] as InitSource) : { label: 'init', replicate };
        const outcome = await runner.run({ kind: 'student', baseSeed, replicate, arm, init, teacherNoiseLogits: teacher.noiseLogits, config }, onEpoch);
        if (outcome.kind !== 'student') throw new Error('mnist study: a student job returned a teacher outcome');
        modelDone(arm, replicate, outcome.accuracy);
        return outcome;
      }),
    );
    return { teacher, students };
  };

  let perSeedOutcomes: { teacher: TeacherOutcome; students: StudentOutcome[] }[];
  try {
    perSeedOutcomes = await Promise.all(Array.from({ length: seeds }, (_, r) => runSeed(r)));
  } catch (err) {
    options.signal?.throwIfAborted();
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await runner.close();
  }

  const wallSeconds = (performance.now() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const perSeed: SeedRecord[] = perSeedOutcomes.map(({ teacher, students }, replicate) => {
    const accuracy: Partial<Record<ArmName, number>> = { reference: teacher.referenceAccuracy, teacher: teacher.teacherAccuracy };
    const epochs: SeedRecord['epochs'] = { teacher: teacher.epochs };
    for (const s of students) {
      accuracy[s.arm] = s.accuracy;
      epochs[s.arm] = s.epochs;
    }
    return { replicate, crossInit: crossInit[replicate] as InitSource, accuracy: accuracy as Record<ArmName, number>, epochs };
  });

  const reported = ARM_ORDER.filter((arm) => arm === 'reference' || arm === 'teacher' || arms.includes(arm as StudentArm));
  const armResults: ArmResult[] = reported.map((arm) => {
    const accuracies = perSeed.map((s) => s.accuracy[arm]);
    return { arm, label: ARM_LABELS[arm], accuracies, summary: meanInterval(accuracies), paper: PAPER_FIG10B[arm] };
  });
  const comparisons: PairedComparison[] = COMPARISONS.filter(([a, b]) => reported.includes(a) && reported.includes(b)).map(([minuend, subtrahend]) => {
    const differences = perSeed.map((s) => s.accuracy[minuend] - s.accuracy[subtrahend]);
    return { minuend, subtrahend, differences, summary: meanInterval(differences) };
  });

  const meanEpoch = (records: EpochRecord[]): number => (records.length === 0 ? 0 : records.reduce((s, r) => s + r.seconds, 0) / records.length);
  const meanEpochCpu = (records: EpochRecord[]): number | null =>
    records.length === 0 || records.some((r) => r.cpuSeconds === null) ? null : records.reduce((s, r) => s + (r.cpuSeconds as number), 0) / records.length;
  const teacherEpochs = perSeedOutcomes.flatMap((o) => o.teacher.epochs);
  const studentEpochs = perSeedOutcomes.flatMap((o) => o.students.flatMap((s) => s.epochs));
  const results: MnistSubliminalResults = {
    format: 'emlab.mnist-subliminal/1',
    paper: PAPER_REFERENCE,
    baseSeed,
    seeds,
    config,
    arms: armResults,
    comparisons,
    perSeed,
    timing: {
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      threads,
      modelsTrained: modelsTotal,
      teacherEpochSeconds: meanEpoch(teacherEpochs),
      studentEpochSeconds: meanEpoch(studentEpochs),
      teacherEpochCpuSeconds: meanEpochCpu(teacherEpochs),
      studentEpochCpuSeconds: meanEpochCpu(studentEpochs),
      noiseSeconds: perSeedOutcomes.reduce((s, o) => s + o.teacher.noiseSeconds, 0) / seeds,
    },
    environment: { node: process.version, platform: platform(), cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown' },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
  if (options.out !== undefined) writeMnistResults(options.out, results);
  return results;
}
