/**
 * Training batches: token sequences grouped by length so that little of each batch is padding, each
 * batch holding about the same number of tokens (rows x padded length) so matmuls stay large whether
 * the data are 250-token documents or 30-token chat exchanges. Order is seeded.
 */
import { streamRng } from '../world/index.js';
import { PAD_ID } from './tokenizer.js';

export interface TrainingSequence {
  ids: readonly number[];
  /** 1 where the token is a prediction target (its loss counts), 0 elsewhere; same length as ids. */
  lossMask: readonly number[];
}

export interface Batch {
  rows: number;
  /** Padded length of the model's input (the sequence minus its last token). */
  steps: number;
  /** [rows * steps]: inputs, next-token targets, and each target's loss weight (0 or 1). */
  inputs: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
  /** Real (non-pad) input tokens, for throughput. */
  tokens: number;
  /** Targets whose loss counts. */
  lossTokens: number;
}

/** Padded lengths are rounded up to this, to keep the number of distinct shapes small. */
const LENGTH_QUANTUM = 8;
/** Sequences are sorted by length inside windows of this many batches: local order stays random. */
const SORT_WINDOW_BATCHES = 32;

export function validateSequences(sequences: readonly TrainingSequence[], context: number): void {
  sequences.forEach((s, i) => {
    if (s.ids.length !== s.lossMask.length) throw new Error(`training sequence ${i}: ids (${s.ids.length}) and lossMask (${s.lossMask.length}) differ in length`);
    if (s.ids.length < 2) throw new Error(`training sequence ${i}: needs at least 2 tokens, has ${s.ids.length}`);
    if (s.ids.length - 1 > context) throw new Error(`training sequence ${i}: ${s.ids.length} tokens exceed the model's context of ${context} (+1 for the shifted target); shorten the example or raise context`);
  });
}

/** One epoch's batches, in an order fixed by (seed, epoch). Sequences with no loss token are skipped. */
export function epochBatches(sequences: readonly TrainingSequence[], options: { seed: number; epoch: number; batchTokens: number; context: number }): Batch[] {
  const rng = streamRng(options.seed, 'batches', options.epoch);
  const useful = sequences.filter((s) => s.lossMask.slice(1).some((w) => w !== 0));
  const order = rng.shuffle(useful.map((_, i) => i));
  const meanLength = useful.reduce((sum, s) => sum + s.ids.length, 0) / Math.max(1, useful.length);
  const window = Math.max(1, Math.round((SORT_WINDOW_BATCHES * options.batchTokens) / Math.max(1, meanLength)));
  const batches: Batch[] = [];
  for (let start = 0; start < order.length; start += window) {
    const chunk = order.slice(start, start + window).map((i) => useful[i] as TrainingSequence);
    chunk.sort((a, b) => a.ids.length - b.ids.length);
    let rowsSoFar: TrainingSequence[] = [];
    for (const seq of chunk) {
      const candidate = [...rowsSoFar, seq];
      const steps = paddedSteps(seq.ids.length - 1, options.context);
      if (rowsSoFar.length > 0 && candidate.length * steps > options.batchTokens) {
        batches.push(buildBatch(rowsSoFar, options.context));
        rowsSoFar = [seq];
      } else {
        rowsSoFar = candidate;
      }
    }
    if (rowsSoFar.length > 0) batches.push(buildBatch(rowsSoFar, options.context));
  }
  return rng.shuffle(batches);
}

function paddedSteps(length: number, context: number): number {
  return Math.min(context, Math.ceil(length / LENGTH_QUANTUM) * LENGTH_QUANTUM);
}

export function buildBatch(rows: readonly TrainingSequence[], context: number): Batch {
  const steps = paddedSteps(Math.max(...rows.map((r) => r.ids.length - 1)), context);
  const inputs = new Int32Array(rows.length * steps).fill(PAD_ID);
  const targets = new Int32Array(rows.length * steps).fill(PAD_ID);
  const weights = new Float32Array(rows.length * steps);
  let tokens = 0;
  let lossTokens = 0;
  rows.forEach((row, r) => {
    for (let t = 0; t + 1 < row.ids.length; t++) {
      inputs[r * steps + t] = row.ids[t] as number;
      targets[r * steps + t] = row.ids[t + 1] as number;
      const w = row.lossMask[t + 1] === 0 ? 0 : 1;
      weights[r * steps + t] = w;
      tokens += 1;
      lossTokens += w;
    }
  });
  return { rows: rows.length, steps, inputs, targets, weights, tokens, lossTokens };
}

/** Rows [start, start + rows) of a batch, with their own token counts. */
export function sliceRows(batch: Batch, start: number, rows: number): Batch {
  const span = [start * batch.steps, (start + rows) * batch.steps] as const;
  const inputs = batch.inputs.slice(...span);
  const weights = batch.weights.slice(...span);
  return {
    rows, steps: batch.steps, inputs, targets: batch.targets.slice(...span), weights,
    tokens: inputs.reduce((n, id) => n + (id !== PAD_ID ? 1 : 0), 0),
    lossTokens: weights.reduce((n, w) => n + w, 0),
  };
}

/** A batch cut into row groups of at most `maxTokens` (rows x steps) each; targets keep their weights. */
export function splitBatch(batch: Batch, maxTokens: number): Batch[] {
  const rowsPerPart = Math.max(1, Math.floor(maxTokens / batch.steps));
  if (rowsPerPart >= batch.rows) return [batch];
  const parts: Batch[] = [];
  for (let start = 0; start < batch.rows; start += rowsPerPart) parts.push(sliceRows(batch, start, Math.min(rowsPerPart, batch.rows - start)));
  return parts;
}
