/**
 * The units of work of the study, each a pure function of its inputs and seed, so they give the
 * same numbers in the main thread or in a worker:
 * - a teacher job trains one seed's teacher on MNIST from that seed's initial weights, scores the
 *   untrained reference and the teacher on the test digits, and returns the teacher's 13 logits on
 *   the seed's noise images (computed once, shared by all four students);
 * - a student job distils one student on the noise images from those logits and scores it.
 *
 * Streams of randomness (all from the base seed): ('init', r) the initial weights of seed r;
 * ('teacher-order', r, epoch) and ('student-order', r, epoch) the batch orders; ('noise', r) the
 * noise images. All students of a seed see the same noise in the same order, so the four arms
 * differ only in their initial weights and in which logits they imitate.
 */
import { Adam } from './adam.js';
import { auxLogitCount, type MnistStudyConfig } from './config.js';
import { arenaFloats, KernelArena } from '../../organisms/kernels/index.js';
import { sliceCrossEntropy, sliceDistillationKl, type LogitSlice } from './losses.js';
import { Mlp, parameterCount } from './mlp.js';
import { CLASSES, gatherImages, IMAGE_PIXELS, loadMnist, type DigitSet } from './mnist-data.js';
import { permutation, rngFor } from './prng.js';
import { threadCpuSeconds } from './thread-cpu.js';

/** The four students: same or another seed's initial weights, imitating the auxiliary or all logits. */
export type StudentArm = 'student-aux' | 'student-all' | 'cross-aux' | 'cross-all';
export const STUDENT_ARMS: readonly StudentArm[] = ['student-aux', 'student-all', 'cross-aux', 'cross-all'];
export type ModelRole = 'teacher' | StudentArm;

/** Whose initial weights a model starts from: seed r's ('init'), or a spare draw no teacher uses. */
export interface InitSource {
  label: 'init' | 'spare-init';
  replicate: number;
}

export interface TeacherJob {
  kind: 'teacher';
  baseSeed: number;
  replicate: number;
  config: MnistStudyConfig;
}

export interface StudentJob {
  kind: 'student';
  baseSeed: number;
  replicate: number;
  arm: StudentArm;
  init: InitSource;
  /** The teacher's logits on the seed's noise images, noiseExamples × outputs. */
  teacherNoiseLogits: Float32Array;
  config: MnistStudyConfig;
}

export type MnistJob = TeacherJob | StudentJob;

export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's examples. */
  loss: number;
  steps: number;
  /** Wall-clock seconds of the epoch. */
  seconds: number;
  /** CPU seconds of the thread that ran it (null where the platform does not say). */
  cpuSeconds: number | null;
}

export interface TeacherOutcome {
  kind: 'teacher';
  replicate: number;
  referenceAccuracy: number;
  teacherAccuracy: number;
  noiseLogits: Float32Array;
  epochs: EpochRecord[];
  /** Seconds spent drawing the noise images and running the teacher on them. */
  noiseSeconds: number;
}

export interface StudentOutcome {
  kind: 'student';
  replicate: number;
  arm: StudentArm;
  accuracy: number;
  epochs: EpochRecord[];
}

export type JobOutcome = TeacherOutcome | StudentOutcome;

export type EpochListener = (role: ModelRole, replicate: number, record: EpochRecord, epochs: number) => void;

/** The slice of logits a student imitates. */
export function distilledSlice(arm: StudentArm, config: MnistStudyConfig): LogitSlice {
  const outputs = config.sizes[config.sizes.length - 1] as number;
  return arm.endsWith('-aux') ? { first: CLASSES, count: auxLogitCount(config) } : { first: 0, count: outputs };
}

/** Starts timing; the returned function gives the wall and thread-CPU seconds since. */
function startClock(): () => { seconds: number; cpuSeconds: number | null } {
  const wall = performance.now();
  const cpu = threadCpuSeconds();
  return () => {
    const cpuNow = threadCpuSeconds();
    return { seconds: (performance.now() - wall) / 1000, cpuSeconds: cpu === null || cpuNow === null ? null : cpuNow - cpu };
  };
}

interface Workspace {
  mlp: Mlp;
  adam: Adam;
  input: Float32Array;
  logitGrad: Float32Array;
  outputs: number;
}

let cachedWorkspace: { key: string; ws: Workspace } | undefined;

/**
 * The network and batch buffers for a job, reused by the thread's next job of the same shape:
 * every job overwrites all of them (initialise, forward, backward), and each new wasm memory would
 * otherwise reserve gigabytes of address space until the collector gets to it.
 */
function workspace(config: MnistStudyConfig): Workspace {
  const { sizes, batchSize } = config;
  const key = `${sizes.join('-')}/${batchSize}`;
  if (cachedWorkspace?.key === key) return cachedWorkspace.ws;
  const outputs = sizes[sizes.length - 1] as number;
  const arena = new KernelArena(arenaFloats([
    ...Mlp.arenaLengths(sizes, batchSize), ...Adam.arenaLengths(parameterCount(sizes)), batchSize * IMAGE_PIXELS, batchSize * outputs,
  ]));
  const mlp = new Mlp(arena, sizes, batchSize);
  const adam = new Adam(arena, mlp.params, mlp.grads);
  const ws = { mlp, adam, input: arena.alloc(batchSize * IMAGE_PIXELS), logitGrad: arena.alloc(batchSize * outputs), outputs };
  cachedWorkspace = { key, ws };
  return ws;
}

let noiseCache: { key: string; images: Float32Array } | undefined;

/** Seed r's noise images, Uniform(−1, 1) per pixel; the last set drawn is kept for the next job. */
export function noiseImages(baseSeed: number, replicate: number, count: number): Float32Array {
  const key = `${baseSeed}/${replicate}/${count}`;
  if (noiseCache?.key !== key) {
    noiseCache = undefined; // let the old set go before drawing a new one
    const images = new Float32Array(count * IMAGE_PIXELS);
    rngFor(baseSeed, 'noise', replicate).fillUniform(images, -1, 1);
    noiseCache = { key, images };
  }
  return noiseCache.images;
}

/** Share of the first `count` digits of `set` whose largest class logit (0..9) is the label. */
function accuracy(ws: Workspace, set: DigitSet, count: number, batchSize: number): number {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  const labels = new Uint8Array(batchSize);
  let correct = 0;
  for (let start = 0; start < count; start += batchSize) {
    const b = Math.min(batchSize, count - start);
    gatherImages(set, order, start, b, ws.input, labels);
    const logits = ws.mlp.forward(ws.input, b);
    for (let r = 0; r < b; r++) {
      const row = r * ws.outputs;
      let best = 0;
      for (let c = 1; c < CLASSES; c++) if ((logits[row + c] as number) > (logits[row + best] as number)) best = c;
      if (best === labels[r]) correct++;
    }
  }
  return correct / count;
}

function trainTeacher(ws: Workspace, job: TeacherJob, onEpoch?: EpochListener): EpochRecord[] {
  const { config, baseSeed, replicate } = job;
  const { train } = loadMnist();
  const { adam } = ws;
  adam.reset(config.adam);
  const labels = new Uint8Array(config.batchSize);
  const classes: LogitSlice = { first: 0, count: CLASSES };
  const records: EpochRecord[] = [];
  const n = config.trainExamples;
  for (let epoch = 1; epoch <= config.teacherEpochs; epoch++) {
    const clock = startClock();
    const order = permutation(rngFor(baseSeed, 'teacher-order', replicate, epoch), n);
    let lossSum = 0;
    let steps = 0;
    for (let start = 0; start < n; start += config.batchSize) {
      const b = Math.min(config.batchSize, n - start);
      gatherImages(train, order, start, b, ws.input, labels);
      const logits = ws.mlp.forward(ws.input, b);
      lossSum += sliceCrossEntropy(logits, ws.outputs, b, classes, labels, ws.logitGrad) * b;
      ws.mlp.backward(ws.logitGrad);
      adam.step();
      steps++;
    }
    const record: EpochRecord = { epoch, loss: lossSum / n, steps, ...clock() };
    records.push(record);
    onEpoch?.('teacher', replicate, record, config.teacherEpochs);
  }
  return records;
}

function teacherNoiseLogits(ws: Workspace, noise: Float32Array, count: number, batchSize: number): Float32Array {
  const out = new Float32Array(count * ws.outputs);
  for (let start = 0; start < count; start += batchSize) {
    const b = Math.min(batchSize, count - start);
    ws.input.set(noise.subarray(start * IMAGE_PIXELS, (start + b) * IMAGE_PIXELS));
    out.set(ws.mlp.forward(ws.input, b), start * ws.outputs);
  }
  return out;
}

function distil(ws: Workspace, job: StudentJob, onEpoch?: EpochListener): EpochRecord[] {
  const { config, baseSeed, replicate } = job;
  const n = config.noiseExamples;
  const outputs = ws.outputs;
  if (job.teacherNoiseLogits.length !== n * outputs) {
    throw new Error(`student job: teacher logits hold ${job.teacherNoiseLogits.length} floats, expected ${n} × ${outputs}`);
  }
  const noise = noiseImages(baseSeed, replicate, n);
  const slice = distilledSlice(job.arm, config);
  const { adam } = ws;
  adam.reset(config.adam);
  const targets = new Float32Array(config.batchSize * outputs);
  const records: EpochRecord[] = [];
  for (let epoch = 1; epoch <= config.studentEpochs; epoch++) {
    const clock = startClock();
    const order = permutation(rngFor(baseSeed, 'student-order', replicate, epoch), n);
    let lossSum = 0;
    let steps = 0;
    for (let start = 0; start < n; start += config.batchSize) {
      const b = Math.min(config.batchSize, n - start);
      for (let r = 0; r < b; r++) {
        const index = order[start + r] as number;
        ws.input.set(noise.subarray(index * IMAGE_PIXELS, (index + 1) * IMAGE_PIXELS), r * IMAGE_PIXELS);
        targets.set(job.teacherNoiseLogits.subarray(index * outputs, (index + 1) * outputs), r * outputs);
      }
      const logits = ws.mlp.forward(ws.input, b);
      lossSum += sliceDistillationKl(logits, outputs, b, slice, targets, outputs, ws.logitGrad) * b;
      ws.mlp.backward(ws.logitGrad);
      adam.step();
      steps++;
    }
    const record: EpochRecord = { epoch, loss: lossSum / n, steps, ...clock() };
    records.push(record);
    onEpoch?.(job.arm, replicate, record, config.studentEpochs);
  }
  return records;
}

export function runJob(job: MnistJob, onEpoch?: EpochListener): JobOutcome {
  const ws = workspace(job.config);
  const { test } = loadMnist();
  const { config } = job;
  if (job.kind === 'teacher') {
    ws.mlp.initialise(rngFor(job.baseSeed, 'init', job.replicate));
    const referenceAccuracy = accuracy(ws, test, config.testExamples, config.batchSize);
    const epochs = trainTeacher(ws, job, onEpoch);
    const teacherAccuracy = accuracy(ws, test, config.testExamples, config.batchSize);
    const started = performance.now();
    const noise = noiseImages(job.baseSeed, job.replicate, config.noiseExamples);
    const noiseLogits = teacherNoiseLogits(ws, noise, config.noiseExamples, config.batchSize);
    const noiseSeconds = (performance.now() - started) / 1000;
    return { kind: 'teacher', replicate: job.replicate, referenceAccuracy, teacherAccuracy, noiseLogits, epochs, noiseSeconds };
  }
  ws.mlp.initialise(rngFor(job.baseSeed, job.init.label, job.init.replicate));
  const epochs = distil(ws, job, onEpoch);
  return { kind: 'student', replicate: job.replicate, arm: job.arm, accuracy: accuracy(ws, test, config.testExamples, config.batchSize), epochs };
}
