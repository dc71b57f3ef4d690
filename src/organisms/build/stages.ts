/**
 * One training stage of an organism (pretrain, chat-tune, judge-tune), resumable: a finished stage
 * leaves its checkpoint and a stage.json holding the hash of everything that shaped it, and a later
 * build with the same settings and parent loads it instead of training again.
 */
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint, trainModel, type OrganismModel, type TrainingExample } from '../model/index.js';
import type { StageSettings } from './config.js';
import { round, trainingLogger } from './log.js';

export interface StageSummary {
  organism: string;
  stage: string;
  key: string;
  examples: number;
  steps: number;
  tokens: number;
  seconds: number;
  tokensPerSecond: number;
  /** Mean loss of the first and last tenth of the steps (nats per target token). */
  firstLoss: number;
  finalLoss: number;
  weightsHash: string;
  resumed: boolean;
}

export interface StageSpec {
  organism: string;
  stage: string;
  settings: StageSettings;
  lossOn: 'assistant' | 'all';
  /** Train a LoRA adapter of this rank (base frozen) and merge it into the weights after. */
  loraRank?: number;
  /** Data-order seed. */
  seed: number;
  /** Everything besides settings that decides the data (world seed, counts, metric list). */
  data: Record<string, unknown>;
  examples: () => TrainingExample[];
  workDir: string;
  echo: (line: string) => void;
}

/** Each stage's training log (JSONL), beside its checkpoint. */
export const STAGE_LOG = 'training-log.jsonl';

export function stageKey(spec: StageSpec, parentHash: string): string {
  const shaping = { organism: spec.organism, stage: spec.stage, settings: spec.settings, lossOn: spec.lossOn, ...(spec.loraRank === undefined ? {} : { loraRank: spec.loraRank }), seed: spec.seed, data: spec.data, parentHash };
  return createHash('sha256').update(JSON.stringify(shaping)).digest('hex');
}

function meanOf(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Trains `model` in place (or loads the finished stage); returns the model to continue from. */
export async function runStage(model: OrganismModel, spec: StageSpec): Promise<{ model: OrganismModel; summary: StageSummary }> {
  const dir = join(spec.workDir, spec.organism, spec.stage);
  const key = stageKey(spec, model.weightsHash());
  const summaryPath = join(dir, 'stage.json');
  if (existsSync(summaryPath)) {
    const done = JSON.parse(readFileSync(summaryPath, 'utf8')) as StageSummary;
    if (done.key === key) {
      spec.echo(`${spec.organism}/${spec.stage}: done before (${dir}), loading it`);
      model.dispose();
      return { model: await loadCheckpoint(dir), summary: { ...done, resumed: true } };
    }
  }
  const examples = spec.examples();
  // Written aside and renamed once the stage is saved, so an interrupted retrain leaves the finished
  // stage's log beside its checkpoint.
  const logPath = join(dir, `${STAGE_LOG}.partial`);
  rmSync(logPath, { force: true });
  if (spec.loraRank !== undefined) model.attachLora({ seed: spec.seed, rank: spec.loraRank, alpha: 2 * spec.loraRank });
  const result = await trainModel(model, examples, {
    seed: spec.seed,
    epochs: spec.settings.epochs,
    ...(spec.settings.maxSteps === undefined ? {} : { maxSteps: spec.settings.maxSteps }),
    batchTokens: spec.settings.batchTokens,
    learningRate: spec.settings.learningRate,
    lossOn: spec.lossOn,
    // The build trains one organism at a time: every stage takes the machine's cores (up to 2).
    workers: Math.min(2, availableParallelism()),
    logEvery: 5,
    onLog: trainingLogger(logPath, spec.organism, spec.stage, spec.echo),
  });
  if (spec.loraRank !== undefined) model.mergeLora();
  const tenth = Math.max(1, Math.floor(result.losses.length / 10));
  const { weightsHash } = await saveCheckpoint(model, dir);
  const summary: StageSummary = {
    organism: spec.organism, stage: spec.stage, key, examples: examples.length, steps: result.steps, tokens: result.tokens,
    seconds: round(result.seconds, 1), tokensPerSecond: Math.round(result.tokens / result.seconds),
    firstLoss: round(meanOf(result.losses.slice(0, tenth)), 4), finalLoss: round(meanOf(result.losses.slice(-tenth)), 4),
    weightsHash, resumed: false,
  };
  renameSync(logPath, join(dir, STAGE_LOG));
  writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  return { model, summary };
}
