/**
 * The study's results: per-arm accuracies by seed with a t-interval, paired differences between
 * arms, the paper's bar heights beside them, timings; written as results.json and printed as a
 * table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MnistStudyConfig } from './config.js';
import type { MeanInterval } from './interval.js';
import type { EpochRecord, InitSource, StudentArm } from './jobs.js';

export type ArmName = 'reference' | 'teacher' | StudentArm;

export const ARM_ORDER: readonly ArmName[] = ['reference', 'teacher', 'student-aux', 'student-all', 'cross-aux', 'cross-all'];

export const ARM_LABELS: Readonly<Record<ArmName, string>> = {
  reference: 'reference (untrained initial weights)',
  teacher: 'teacher (trained on MNIST)',
  'student-aux': 'student, same init, aux logits only',
  'student-all': 'student, same init, all logits',
  'cross-aux': 'student, other init, aux logits only',
  'cross-all': 'student, other init, all logits',
};

/**
 * Cloud et al. 2025 ("Subliminal Learning", arXiv 2507.14805), Fig. 10b: mean test accuracy over
 * 100 models. The figure prints no numbers; these are its bar heights read off the plot (≈ ±0.01).
 */
export const PAPER_FIG10B: Readonly<Record<ArmName, number>> = {
  reference: 0.1,
  teacher: 0.94,
  'student-aux': 0.53,
  'student-all': 0.91,
  'cross-aux': 0.11,
  'cross-all': 0.74,
};

export interface ArmResult {
  arm: ArmName;
  label: string;
  /** Test accuracy of each seed's model, in seed order. */
  accuracies: number[];
  summary: MeanInterval;
  /** The paper's value (Fig. 10b, read off the plot). */
  paper: number;
}

/** An arm minus another, seed by seed (both arms share each seed's teacher and noise). */
export interface PairedComparison {
  minuend: ArmName;
  subtrahend: ArmName;
  differences: number[];
  summary: MeanInterval;
}

export interface SeedRecord {
  replicate: number;
  /** Whose initial weights the cross-init students of this seed started from. */
  crossInit: InitSource;
  accuracy: Record<ArmName, number>;
  epochs: Partial<Record<'teacher' | StudentArm, EpochRecord[]>>;
}

export interface MnistTiming {
  wallSeconds: number;
  /** CPU seconds of the whole process, all threads; ≈ wallSeconds × threads when the cores are free. */
  cpuSeconds: number;
  threads: number;
  modelsTrained: number;
  /** Mean wall seconds of one epoch (all of the training data or noise), per kind of model. */
  teacherEpochSeconds: number;
  studentEpochSeconds: number;
  /**
   * Mean CPU seconds of one epoch, from the training thread's own counter (null off Linux): the
   * cost of the work whatever else the machine was running.
   */
  teacherEpochCpuSeconds: number | null;
  studentEpochCpuSeconds: number | null;
  /** Mean seconds per seed to draw the noise images and run the teacher on them. */
  noiseSeconds: number;
}

export interface MnistSubliminalResults {
  format: 'emlab.mnist-subliminal/1';
  paper: { citation: string; figure: string; note: string };
  baseSeed: number;
  seeds: number;
  config: MnistStudyConfig;
  arms: ArmResult[];
  comparisons: PairedComparison[];
  perSeed: SeedRecord[];
  timing: MnistTiming;
  environment: { node: string; platform: string; cpus: number; cpuModel: string };
  startedAt: string;
  finishedAt: string;
}

export const PAPER_REFERENCE = {
  citation: 'Cloud, Le, Chua, Betley, Sztyber-Betley, Hilton, Marks, Evans (2025). Subliminal Learning: Language models transmit behavioral traits via hidden signals in data. arXiv:2507.14805',
  figure: 'Fig. 10b (MNIST MLP, auxiliary logits)',
  note: 'paper values are bar heights read off the figure (≈ ±0.01), means over 100 models',
};

function fmt(x: number | null, digits = 3): string {
  return x === null ? '—' : x.toFixed(digits);
}

function signed(x: number | null): string {
  return x === null ? '—' : `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
}

function epochCost(wall: number, cpu: number | null): string {
  return cpu === null ? `${wall.toFixed(1)} s` : `${wall.toFixed(1)} s wall / ${cpu.toFixed(1)} s CPU`;
}

/** A plain-text table of the results beside the paper's numbers. */
export function formatMnistTable(results: MnistSubliminalResults): string {
  const level = Math.round((results.arms[0]?.summary.level ?? 0.95) * 100);
  const lines: string[] = [];
  lines.push(`MNIST subliminal learning: test accuracy over ${results.seeds} seed${results.seeds === 1 ? '' : 's'} (mean, ${level}% t-interval over seeds)`);
  const width = Math.max(...results.arms.map((a) => a.label.length));
  lines.push(`${'model'.padEnd(width)}  paper≈  ours    ${`${level}% interval`.padEnd(18)}  per seed`);
  for (const arm of results.arms) {
    const { summary } = arm;
    const interval = summary.low === null ? '(one seed)' : `[${fmt(summary.low)}, ${fmt(summary.high)}]`;
    const perSeed = arm.accuracies.map((a) => a.toFixed(2)).join(' ');
    lines.push(`${arm.label.padEnd(width)}  ${arm.paper.toFixed(2)}    ${fmt(summary.mean)}   ${interval.padEnd(18)}  ${perSeed}`);
  }
  for (const c of results.comparisons) {
    const s = c.summary;
    const interval = s.low === null ? '' : ` [${signed(s.low)}, ${signed(s.high)}]`;
    const paper = PAPER_FIG10B[c.minuend] - PAPER_FIG10B[c.subtrahend];
    lines.push(`paired difference ${c.minuend} − ${c.subtrahend}: ${signed(s.mean)}${interval} (paper ≈ ${signed(paper)})`);
  }
  const t = results.timing;
  lines.push(
    `${t.modelsTrained} models trained in ${t.wallSeconds.toFixed(0)} s on ${t.threads} thread${t.threads === 1 ? '' : 's'} ` +
    `(process CPU ${t.cpuSeconds.toFixed(0)} s); one epoch: ${epochCost(t.teacherEpochSeconds, t.teacherEpochCpuSeconds)} teacher, ` +
    `${epochCost(t.studentEpochSeconds, t.studentEpochCpuSeconds)} student`,
  );
  lines.push(`paper: ${PAPER_REFERENCE.figure}; ${PAPER_REFERENCE.note}`);
  return lines.join('\n');
}

/** Writes `results.json` into `dir` (created if missing) and returns its path. */
export function writeMnistResults(dir: string, results: MnistSubliminalResults): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'results.json');
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}
