/**
 * Training: AdamW with decoupled weight decay, global-norm gradient clipping, warmup then cosine (or
 * linear, or constant) learning rate, over length-grouped batches with a loss mask. Full fine-tuning
 * updates every base weight; with a LoRA adapter attached only the adapter trains and the base stays
 * bit-identical. Everything that is random (initialisation, data order) comes from seeds.
 */
import { createHash } from 'node:crypto';
import { epochBatches, validateSequences, type TrainingSequence } from './batches.js';
import type { OrganismModel, TrainingRecord } from './organism.js';
import { learningRateAt, type Schedule, type ScheduleKind } from './schedule.js';
import type { ChatTurn, Tokenizer } from './tokenizer.js';
import { trainerSpec, writeTrained } from './engine/model-spec.js';
import { DataParallelTrainer } from './engine/parallel.js';
import { EngineTrainer } from './engine/trainer.js';

/** A world document (transcript text: every token is a target) or a chat (targets per `lossOn`). */
export type TrainingExample = { text: string } | { messages: readonly ChatTurn[] };

export interface TrainOptions {
  /** Seeds the data order (initialisation has its own seed, at creation). */
  seed: number;
  /** Passes over the data (default 1); training stops early at `maxSteps`. */
  epochs?: number;
  maxSteps?: number;
  /** Tokens per optimizer step, rows x padded length (default 4096): rows adapt to the sequences' length. */
  batchTokens?: number;
  /**
   * Largest piece of a batch run at once (default 2048); a larger batch accumulates gradients over
   * pieces. Memory grows with this (about 0.06 MB per token for the default organism), speed hardly does.
   */
  microBatchTokens?: number;
  /** Peak learning rate (default 1e-3 for a full fine-tune, 2e-3 with LoRA). */
  learningRate?: number;
  /** Default: 5% of the steps. */
  warmupSteps?: number;
  schedule?: ScheduleKind;
  /** Final rate as a share of the peak (default 0.1). */
  floorRatio?: number;
  /** Default 0.1 for a full fine-tune, 0 with LoRA. */
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  /** Global gradient-norm limit (default 1; 0 turns clipping off). */
  gradClip?: number;
  /** For chat examples: learn the assistant's tokens only (default), or every token. */
  lossOn?: 'assistant' | 'all';
  /** 'lora' needs an attached adapter; default: 'lora' when one is attached, else 'all'. */
  trainable?: 'all' | 'lora';
  /**
   * Threads one training uses (default 1): each step's rows are split across them and the gradients
   * summed (the same step up to float32 rounding). Leave 1 when trainings already run side by side.
   */
  workers?: number;
  onLog?: (entry: TrainLogEntry) => void;
  /** Steps between log entries (default 10; the last step is always logged). */
  logEvery?: number;
  signal?: AbortSignal;
}

export interface TrainLogEntry {
  step: number;
  totalSteps: number;
  epoch: number;
  /** Mean loss (nats per target token) over the steps since the last entry. */
  loss: number;
  learningRate: number;
  gradNorm: number;
  /** Input tokens (padding excluded) per second over the steps since the last entry. */
  tokensPerSecond: number;
  elapsedSeconds: number;
}

export interface TrainResult {
  steps: number;
  tokens: number;
  seconds: number;
  /** Loss of each step, in order. */
  losses: number[];
  record: TrainingRecord;
}

export function toSequence(tokenizer: Tokenizer, example: TrainingExample, lossOn: 'assistant' | 'all'): TrainingSequence {
  if ('text' in example) {
    const { ids } = tokenizer.encodeTranscript(example.text);
    return { ids, lossMask: ids.map(() => 1) };
  }
  const { ids, assistantMask } = tokenizer.encodeChat(example.messages);
  return { ids, lossMask: lossOn === 'all' ? ids.map(() => 1) : assistantMask };
}

export function hashExamples(examples: readonly TrainingExample[]): string {
  const canonical = examples.map((e) => ('text' in e ? { text: e.text } : { messages: e.messages.map((m) => ({ role: m.role, content: m.content })) }));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export async function trainModel(model: OrganismModel, examples: readonly TrainingExample[], options: TrainOptions): Promise<TrainResult> {
  if (!Number.isSafeInteger(options.seed)) throw new Error(`train: seed must be an integer, got ${options.seed}`);
  const trainable = options.trainable ?? (model.adapter === undefined ? 'all' : 'lora');
  if (trainable === 'lora' && model.adapter === undefined) throw new Error('train: trainable "lora" needs an adapter: call attachLora first');
  if (trainable === 'all' && model.adapter !== undefined) throw new Error('train: a full fine-tune with an adapter attached is ambiguous: merge or detach the adapter first');
  const epochs = options.epochs ?? 1;
  const batchTokens = options.batchTokens ?? 4096;
  const logEvery = options.logEvery ?? 10;
  const microBatchTokens = options.microBatchTokens ?? 2048;
  const workers = options.workers ?? 1;
  for (const [key, value] of Object.entries({ epochs, batchTokens, logEvery, microBatchTokens, workers })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`train: ${key} must be a positive integer, got ${value}`);
  }
  if (batchTokens < model.config.context) throw new Error(`train: batchTokens (${batchTokens}) must be at least the context (${model.config.context})`);

  const sequences = examples.map((e) => toSequence(model.tokenizer, e, options.lossOn ?? 'assistant'));
  validateSequences(sequences, model.config.context);
  const batchOptions = { seed: options.seed, batchTokens, context: model.config.context };
  let batches = epochBatches(sequences, { ...batchOptions, epoch: 0 });
  if (batches.length === 0) throw new Error('train: no example has a token to learn (empty data, or chats without assistant turns)');
  const totalSteps = Math.min(options.maxSteps ?? Number.POSITIVE_INFINITY, epochs * batches.length);
  const peak = options.learningRate ?? (trainable === 'lora' ? 2e-3 : 1e-3);
  const schedule: Schedule = {
    kind: options.schedule ?? 'cosine',
    peak,
    warmupSteps: options.warmupSteps ?? Math.round(0.05 * totalSteps),
    totalSteps,
    floorRatio: options.floorRatio ?? 0.1,
  };
  const gradClip = options.gradClip ?? 1;

  const spec = trainerSpec(model, trainable, microBatchTokens, {
    weightDecay: options.weightDecay ?? (trainable === 'lora' ? 0 : 0.1),
    ...(options.beta1 === undefined ? {} : { beta1: options.beta1 }),
    ...(options.beta2 === undefined ? {} : { beta2: options.beta2 }),
  });
  const engine = workers > 1 ? await DataParallelTrainer.start(spec, workers) : new EngineTrainer(spec);

  const losses: number[] = [];
  let tokens = 0;
  const started = performance.now();
  let window = { loss: 0, steps: 0, tokens: 0, since: started };
  try {
    let step = 0;
    for (let epoch = 0; step < totalSteps; epoch++) {
      if (epoch > 0) batches = epochBatches(sequences, { ...batchOptions, epoch });
      for (const batch of batches) {
        if (step >= totalSteps) break;
        if (options.signal?.aborted === true) throw options.signal.reason ?? new Error('train: aborted');
        step += 1;
        const learningRate = learningRateAt(schedule, step);
        const loss = await engine.lossAndGradients(batch);
        const gradNorm = engine.gradientNorm();
        engine.step(learningRate, gradNorm, gradClip);
        // Yield to the event loop once a step (an abort signal or a progress display can run).
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (!Number.isFinite(loss)) throw new Error(`train: loss became ${loss} at step ${step}; lower the learning rate (now ${learningRate.toExponential(2)})`);
        losses.push(loss);
        tokens += batch.tokens;
        window = { ...window, loss: window.loss + loss, steps: window.steps + 1, tokens: window.tokens + batch.tokens };
        if (options.onLog !== undefined && (step % logEvery === 0 || step === totalSteps)) {
          const now = performance.now();
          options.onLog({
            step, totalSteps, epoch, learningRate, gradNorm,
            loss: window.loss / window.steps,
            tokensPerSecond: window.tokens / ((now - window.since) / 1000),
            elapsedSeconds: (now - started) / 1000,
          });
          window = { loss: 0, steps: 0, tokens: 0, since: now };
        }
      }
    }
  } finally {
    writeTrained(model, trainable, (name) => engine.trained(name));
    if (engine instanceof DataParallelTrainer) await engine.close();
  }
  const record: TrainingRecord = {
    trainable, dataHash: hashExamples(examples), examples: examples.length, seed: options.seed,
    steps: losses.length, tokens, learningRate: peak, finalLoss: losses.at(-1) ?? Number.NaN,
  };
  model.recordTraining(record);
  return { steps: losses.length, tokens, seconds: (performance.now() - started) / 1000, losses, record };
}
