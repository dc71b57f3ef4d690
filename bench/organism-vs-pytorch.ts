/**
 * `npm run bench:pytorch`: training tokens/s of an organism (emlab's wasm SIMD kernels, src/organisms/kernels)
 * against PyTorch on the CPU, same architecture, same initial weights, same batches, same AdamW, in
 * one run, as ratios. PyTorch comes from Debian (`apt-get install python3-torch`) for this benchmark
 * only; without it this prints how to get it and exits 0 with nothing measured.
 *
 *   npm run bench:pytorch [-- --steps 8 --warmup 2 --batches 1024,4096 --python /usr/bin/python3 --no-reference]
 *
 * For each batch size: a fresh organism (seed 1) trains `warmup + steps` steps with trainModel; its
 * initial weights and the same batches (epochBatches with trainModel's seed, in its order) go to
 * bench/pytorch/organism_train.py, which trains a fresh torch copy from them once per arm (see
 * torchArms). The first step's loss (initial weights, same batch) must agree, and so must the
 * parameter counts: otherwise the two are not the same model and nothing is reported. tfjs-wasm runs
 * on one thread under Node (src/organisms/model/README.md), so torch with one thread is the
 * like-for-like figure; the all-cores one is what torch does with the machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateWorld } from '../src/organisms/world/index.js';
import { epochBatches, type Batch } from '../src/organisms/model/batches.js';
import { DEFAULT_ARCHITECTURE, parameterCount } from '../src/organisms/model/config.js';
import { OrganismModel } from '../src/organisms/model/organism.js';
import { toSequence, trainModel, type TrainingExample } from '../src/organisms/model/train.js';
import { formatRatio, formatTable } from './harness/table.js';

const SCRIPT = fileURLToPath(new URL('./pytorch/organism_train.py', import.meta.url));
const SEED = 1;
// Constant rate, no warmup: both sides then apply the very same update at every step.
const OPTIMIZER = { learningRate: 1e-3, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1, gradClip: 1 };
/** Step-1 losses (same weights, same batch) further apart than this mean different models. */
const LOSS_TOLERANCE = 1e-3;

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    batches: { type: 'string', default: '1024,4096' },
    documents: { type: 'string', default: '1500' },
    python: { type: 'string' },
    'no-reference': { type: 'boolean', default: false },
  },
});
const timedSteps = Number(values.steps);
const warmupSteps = Number(values.warmup);
const batchSizes = values.batches.split(',').map(Number);

interface Measured {
  label: string;
  tokens: number;
  seconds: number;
  cpuSeconds: number;
  losses: number[];
}

interface TorchRun {
  threads: number;
  blas: string[];
  params: number;
  tokens: number;
  seconds: number;
  cpuSeconds: number;
  losses: number[];
  torch: string;
}

interface TorchArm {
  blas: string;
  /** Folder put first on LD_LIBRARY_PATH so that torch's libblas.so.3 is this one; none: the system's choice. */
  libraryDir?: string;
  threads: number;
}

/** The first interpreter that imports torch: Debian's own first (a pyenv python3 on PATH lacks its packages). */
function findPython(): string | undefined {
  const candidates = values.python !== undefined ? [values.python] : ['/usr/bin/python3', 'python3'];
  return candidates.find((py) => spawnSync(py, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0);
}

/**
 * Debian's torch calls whatever libblas.so.3 the system provides: the reference (netlib) BLAS unless
 * an optimised one is installed, about 6 against 60 GFLOP/s per core here. OpenBLAS is the headline
 * (torch is normally run on an optimised BLAS), with one thread and with every core; reference BLAS
 * shows what `apt-get install python3-torch` alone gives.
 */
function torchArms(): TorchArm[] {
  const lib = '/usr/lib/x86_64-linux-gnu';
  const cores = availableParallelism();
  const arms: TorchArm[] = [];
  if (existsSync(`${lib}/openblas-pthread/libblas.so.3`)) arms.push(...[1, cores].map((threads) => ({ blas: 'OpenBLAS', libraryDir: `${lib}/openblas-pthread`, threads })));
  else console.log('note: no OpenBLAS (Debian: apt-get install libopenblas0-pthread); torch runs on the reference BLAS');
  if (existsSync(`${lib}/blas/libblas.so.3`) && !values['no-reference']) arms.push({ blas: 'reference BLAS', libraryDir: `${lib}/blas`, threads: 1 });
  if (arms.length === 0) arms.push(...[1, cores].map((threads) => ({ blas: 'system BLAS', threads })));
  return arms;
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** inputs, targets (int32) and weights (float32) of each batch, back to back, little-endian as on x86. */
function batchesFile(batches: readonly Batch[]): Buffer {
  return Buffer.concat(batches.flatMap((b) => [b.inputs, b.targets, b.weights].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
}

async function organismRun(model: OrganismModel, documents: readonly TrainingExample[], batches: readonly Batch[], batchTokens: number): Promise<Measured> {
  // Timed from the end of the last warm-up step to the end of the last step; trainModel reads the
  // loss back every step, so a step's end is real.
  const marks: { wall: number; cpu: number }[] = [];
  const result = await trainModel(model, documents, {
    seed: SEED, epochs: 1, maxSteps: batches.length, batchTokens, lossOn: 'all', logEvery: 1,
    learningRate: OPTIMIZER.learningRate, schedule: 'constant', warmupSteps: 0, weightDecay: OPTIMIZER.weightDecay,
    beta1: OPTIMIZER.beta1, beta2: OPTIMIZER.beta2, gradClip: OPTIMIZER.gradClip,
    onLog: () => marks.push({ wall: performance.now() / 1000, cpu: cpuSeconds() }),
  });
  const start = marks[warmupSteps - 1];
  const end = marks.at(-1);
  if (start === undefined || end === undefined || marks.length !== batches.length) throw new Error(`organism: expected ${batches.length} logged steps, got ${marks.length}`);
  const tokens = batches.slice(warmupSteps).reduce((n, b) => n + b.tokens, 0);
  return { label: 'emlab (wasm SIMD kernels, 1 thread)', tokens, seconds: end.wall - start.wall, cpuSeconds: end.cpu - start.cpu, losses: result.losses };
}

function torchRun(python: string, folder: string, arm: TorchArm): TorchRun {
  const threads = String(arm.threads);
  const env = { ...process.env, OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads, ...(arm.libraryDir === undefined ? {} : { LD_LIBRARY_PATH: arm.libraryDir }) };
  const run = spawnSync(python, [SCRIPT, folder, '--threads', threads], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`${SCRIPT} exited with ${run.status ?? run.signal}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as TorchRun;
}

function maxRelativeGap(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((x, i) => Math.abs(x - (b[i] ?? Number.NaN)) / Math.abs(x)));
}

const python = findPython();
if (python === undefined) {
  console.log('bench:pytorch: PyTorch is not installed (Debian: apt-get install python3-torch libopenblas0-pthread); nothing measured.');
  process.exit(0);
}
if (!(Number.isInteger(timedSteps) && timedSteps >= 1 && Number.isInteger(warmupSteps) && warmupSteps >= 1)) throw new Error('--steps and --warmup must be positive integers');

console.log(`${new Date().toISOString()}  ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}  (${availableParallelism()} cores)`);
const arms = torchArms();
const documents: TrainingExample[] = generateWorld({ seed: 1, documents: Number(values.documents) }).documents.map((d) => ({ text: d.text }));
const rows: string[][] = [];
const notes: string[] = [];
for (const batchTokens of batchSizes) {
  const model = await OrganismModel.create({ seed: SEED, architecture: DEFAULT_ARCHITECTURE });
  const { config } = model;
  const sequences = documents.map((e) => toSequence(model.tokenizer, e, 'all'));
  // trainModel's own first-epoch batches, in its order (same seed, epoch 0).
  const batches = epochBatches(sequences, { seed: SEED, epoch: 0, batchTokens, context: config.context }).slice(0, warmupSteps + timedSteps);
  if (batches.length < warmupSteps + timedSteps) throw new Error(`only ${batches.length} batches of ${batchTokens} tokens; raise --documents`);
  const folder = mkdtempSync(join(tmpdir(), 'emlab-vs-torch-'));
  try {
    writeFileSync(join(folder, 'model.safetensors'), model.baseWeightsFile());
    writeFileSync(join(folder, 'batches.bin'), batchesFile(batches));
    const shapes = batches.map((b) => ({ rows: b.rows, steps: b.steps, tokens: b.tokens, lossTokens: b.lossTokens }));
    writeFileSync(join(folder, 'job.json'), JSON.stringify({ architecture: config, optimizer: OPTIMIZER, warmupSteps, batches: shapes }));

    const loadBefore = loadavg()[0] ?? 0;
    const emlab = await organismRun(model, documents, batches, batchTokens);
    model.dispose();
    const measured: Measured[] = [emlab];
    const params = parameterCount(config);
    const gaps: string[] = [];
    for (const arm of arms) {
      const t = torchRun(python, folder, arm);
      if (t.params !== params) throw new Error(`parameter counts differ: emlab ${params}, PyTorch ${t.params}`);
      const gap = Math.abs((t.losses[0] ?? Number.NaN) - (emlab.losses[0] ?? Number.NaN)) / (emlab.losses[0] ?? 1);
      if (!(gap <= LOSS_TOLERANCE)) throw new Error(`step-1 losses differ (emlab ${emlab.losses[0]}, PyTorch ${t.losses[0]}): not the same model`);
      gaps.push(maxRelativeGap(emlab.losses, t.losses).toExponential(1));
      if (arm.libraryDir !== undefined && !t.blas.some((path) => path.startsWith(arm.libraryDir as string))) throw new Error(`torch did not load the BLAS in ${arm.libraryDir} (mapped: ${t.blas.join(', ')})`);
      measured.push({ ...t, label: `PyTorch ${t.torch} + ${arm.blas}, ${t.threads} thread${t.threads === 1 ? '' : 's'}` });
    }
    const loadAfter = loadavg()[0] ?? 0;

    const timed = batches.slice(warmupSteps);
    const padded = timed.reduce((n, b) => n + b.rows * b.steps, 0);
    notes.push(`batch ${batchTokens}: ${timed.length} timed steps of ${(emlab.tokens / timed.length).toFixed(0)} real (${(padded / timed.length).toFixed(0)} padded) tokens; `
      + `${params.toLocaleString('en-US')} parameters on both sides; step-1 loss ${emlab.losses[0]?.toFixed(5)} on both (within ${LOSS_TOLERANCE}); `
      + `largest relative loss gap over all ${batches.length} steps, per torch arm: ${gaps.join(', ')}; load ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)}`);
    for (const arm of measured) {
      const wall = arm.tokens / arm.seconds;
      const cpu = arm.tokens / arm.cpuSeconds;
      const own = arm === emlab;
      rows.push([String(batchTokens), arm.label, wall.toFixed(0), cpu.toFixed(0), (arm.cpuSeconds / arm.seconds).toFixed(2),
        own ? '' : formatRatio(emlab.tokens / emlab.seconds / wall), own ? '' : formatRatio(emlab.tokens / emlab.cpuSeconds / cpu)]);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

console.log(`\norganism d ${DEFAULT_ARCHITECTURE.dModel}, ${DEFAULT_ARCHITECTURE.layers} layers, ${DEFAULT_ARCHITECTURE.heads} heads, context ${DEFAULT_ARCHITECTURE.context}; fp32 CPU; `
  + `AdamW lr ${OPTIMIZER.learningRate}, betas ${OPTIMIZER.beta1}/${OPTIMIZER.beta2}, decay ${OPTIMIZER.weightDecay}, clip ${OPTIMIZER.gradClip}; ${warmupSteps} warm-up + ${timedSteps} timed steps; tokens = real (non-pad) input tokens\n`);
console.log(formatTable(['batch', 'arm', 'tokens/s wall', 'tokens/CPU-s', 'CPU/wall', 'emlab/this wall', 'emlab/this CPU'], rows, ['right', 'left', 'right', 'right', 'right', 'right', 'right']));
console.log(`\n${notes.join('\n')}\n${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}`);
