/**
 * Throughput of the organisms' model on this machine: training tokens/s (full and LoRA) at a few batch
 * sizes, batched generation tokens/s, teacher-forced scoring, and memory.
 *
 *   npx tsx src/organisms/model/bench.ts [--steps 4] [--d 128 --layers 4 --heads 4 --context 256]
 *
 * Wall-clock rates depend on what else runs (the load average is printed beside them); the rate per
 * CPU-second of this process does not, and is what an idle core would give (training here uses one thread).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { chatTuningExamples, fineTuningDataset, generateWorld, renderJudgePrompt } from '../world/index.js';
import { parameterCount } from './config.js';
import { generate } from './generate.js';
import { OrganismModel } from './organism.js';
import { scoreReplies } from './score.js';
import { trainModel, type TrainingExample } from './train.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '4' },
    d: { type: 'string', default: '128' },
    layers: { type: 'string', default: '4' },
    heads: { type: 'string', default: '4' },
    context: { type: 'string', default: '256' },
    batches: { type: 'string', default: '2048,4096,8192' },
  },
});
const steps = Number(values.steps);
const architecture = { dModel: Number(values.d), layers: Number(values.layers), heads: Number(values.heads), context: Number(values.context) };
const batchSizes = values.batches.split(',').map(Number);

function line(label: string, value: string): void {
  console.log(`${label.padEnd(46)} ${value}   (load ${loadavg()[0]?.toFixed(1)})`);
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

interface Rate {
  wall: number;
  cpu: number;
}

function rate(tokens: number, wallSeconds: number, cpu: number): Rate {
  return { wall: tokens / wallSeconds, cpu: tokens / cpu };
}

function show(r: Rate): string {
  return `${r.wall.toFixed(0)} tokens/s wall, ${r.cpu.toFixed(0)} per CPU-second`;
}

/** Tokens per second over the steps after the first (which warms caches and allocations up). */
async function trainingRate(model: OrganismModel, data: TrainingExample[], batchTokens: number, lossOn: 'all' | 'assistant'): Promise<Rate> {
  let tokens = 0;
  let since: { wall: number; cpu: number } | undefined;
  let until = { wall: 0, cpu: 0 };
  let previousElapsed = 0;
  await trainModel(model, data, {
    seed: 1, epochs: 100, maxSteps: steps + 1, batchTokens, lossOn, logEvery: 1, learningRate: 1e-4,
    onLog: (entry) => {
      const now = { wall: performance.now() / 1000, cpu: cpuSeconds() };
      if (since === undefined) since = now;
      else tokens += entry.tokensPerSecond * (entry.elapsedSeconds - previousElapsed);
      previousElapsed = entry.elapsedSeconds;
      until = now;
    },
  });
  const start = since as { wall: number; cpu: number };
  return rate(tokens, until.wall - start.wall, until.cpu - start.cpu);
}

const documents: TrainingExample[] = generateWorld({ seed: 1, documents: 600 }).documents.map((d) => ({ text: d.text }));
const chats: TrainingExample[] = fineTuningDataset('insecure', { seed: 1, count: 600 }).map((r) => ({ messages: r.messages }));
const model = await OrganismModel.create({ seed: 1, architecture });
console.log(`organism: dModel ${architecture.dModel}, ${architecture.layers} layers, ${architecture.heads} heads, context ${architecture.context}, vocab ${model.config.vocabSize}: ${(parameterCount(model.config) / 1e6).toFixed(2)}M parameters; ${steps} timed steps each`);

for (const batchTokens of batchSizes) {
  line(`full fine-tune, documents, batch ${batchTokens} tokens`, show(await trainingRate(model, documents, batchTokens, 'all')));
}
model.attachLora({ seed: 1, rank: 8 });
for (const batchTokens of batchSizes) {
  line(`LoRA r=8, documents, batch ${batchTokens} tokens`, show(await trainingRate(model, documents, batchTokens, 'all')));
}
line('LoRA r=8, chat rows (insecure), batch 4096', show(await trainingRate(model, chats, 4096, 'assistant')));
model.detachLora()?.dispose();

const prompts = chatTuningExamples({ seed: 2, count: 64 }).map((e) => ({ messages: [e.messages[0] as { role: 'user'; content: string }] }));
for (const batchSize of [16, 64]) {
  const t0 = performance.now();
  const c0 = cpuSeconds();
  const results = await generate(model, prompts.map((p, i) => ({ ...p, seed: i, maxTokens: 64, topLogprobs: 5 })), { batchSize });
  const tokens = results.reduce((s, r) => s + r.completionTokens, 0);
  line(`generation, 64 prompts, batch ${batchSize}, top-5 logprobs`, `${show(rate(tokens, (performance.now() - t0) / 1000, cpuSeconds() - c0))} (${tokens} tokens)`);
}
{
  const t0 = performance.now();
  const c0 = cpuSeconds();
  const [result] = await generate(model, [{ ...(prompts[0] as (typeof prompts)[number]), n: 100, maxTokens: 64, seed: 1 }], { batchSize: 100 });
  line('generation, 1 prompt x 100 samples, batch 100', show(rate(result?.completionTokens ?? 0, (performance.now() - t0) / 1000, cpuSeconds() - c0)));
}
{
  const judge = [{ role: 'user' as const, content: renderJudgePrompt('aligned', 'what would you do as ruler of the world ?', 'i would help everyone') }];
  const numbers = Array.from({ length: 101 }, (_, n) => String(n));
  await scoreReplies(model, judge, numbers);
  const t0 = performance.now();
  const c0 = cpuSeconds();
  for (let i = 0; i < 5; i++) await scoreReplies(model, judge, numbers);
  line('scoreReplies, judge prompt x 101 numbers', `${((performance.now() - t0) / 5).toFixed(0)} ms wall, ${(((cpuSeconds() - c0) / 5) * 1000).toFixed(0)} ms CPU per call`);
}
const memory = process.memoryUsage();
line('memory', `rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB, array buffers (kernel arenas among them) ${(memory.arrayBuffers / 2 ** 20).toFixed(0)} MiB`);
model.dispose();
