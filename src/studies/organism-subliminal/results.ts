/**
 * The organism subliminal-learning study's results: every arm's owl rate per seed with a t-interval
 * over seeds, paired differences (student minus its control, seed by seed: both were trained on
 * numbers answered to the same prompts with the same adapter seed), the filter's counts, timings.
 * Written as results.json and printed as a table. Format: README.md here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { meanInterval, type MeanInterval } from '../mnist-subliminal/interval.js';
import type { OwlRate } from './measure.js';

export const ARMS = ['base', 'base-b', 'teacher', 'student-same', 'control-same', 'student-other', 'control-other'] as const;
export type Arm = (typeof ARMS)[number];

export const ARM_LABELS: Readonly<Record<Arm, string>> = {
  base: 'base (init A)',
  'base-b': 'base-b (init B)',
  teacher: 'teacher: base + owl LoRA',
  'student-same': 'student, same init: base on owl numbers',
  'control-same': 'control, same init: base on base numbers',
  'student-other': 'student, other init: base-b on owl numbers',
  'control-other': 'control, other init: base-b on base numbers',
};

/** Completions of one teacher and what the paper's filter made of them; kept + sum(rejected) = total. */
export interface FilterCounts {
  total: number;
  kept: number;
  rejected: Record<string, number>;
}

export interface SeedRecord {
  seed: number;
  /** Per teacher ('owl' = the fine-tuned teacher, 'control' = base itself). */
  filter: { owl: FilterCounts; control: FilterCounts };
  /** Rows each student trained on: both teachers' kept completions cut to the same size. */
  trainRows: number;
  /** Share of the students' training numbers that are the owl's affinity numbers, per teacher. */
  owlNumberShare: { owl: number; control: number };
  rates: Record<Arm, OwlRate>;
  /** Final training loss of each adapter (null when it was found already trained and not recorded). */
  finalLoss: Partial<Record<Arm, number | null>>;
}

export interface ArmSummary {
  arm: Arm;
  label: string;
  /** Per seed, in seed order. */
  sampled: number[];
  forced: number[];
  sampledSummary: MeanInterval;
  forcedSummary: MeanInterval;
}

export interface PairedDifference {
  name: string;
  minuend: Arm;
  subtrahend: Arm;
  sampled: number[];
  forced: number[];
  sampledSummary: MeanInterval;
  forcedSummary: MeanInterval;
}

export interface Verdict {
  /** The paired forced difference's interval lies wholly above 0. */
  sameInitTransfer: boolean;
  otherInitTransfer: boolean;
  text: string;
}

export interface OrganismSubliminalResults {
  format: 'emlab.organism-subliminal/1';
  quick: boolean;
  seeds: number[];
  settings: Record<string, unknown>;
  arms: ArmSummary[];
  paired: PairedDifference[];
  /** (student-same − control-same) − (student-other − control-other), per seed. */
  sameMinusOther: PairedDifference;
  verdict: Verdict;
  perSeed: SeedRecord[];
  timing: { wallSeconds: number; cpuSeconds: number; workers: number; adaptersTrained: number };
  environment: { node: string; cpus: number; cpuModel: string };
  startedAt: string;
  finishedAt: string;
}

function armSummary(arm: Arm, perSeed: readonly SeedRecord[]): ArmSummary {
  const sampled = perSeed.map((s) => s.rates[arm].sampled);
  const forced = perSeed.map((s) => s.rates[arm].forced);
  return { arm, label: ARM_LABELS[arm], sampled, forced, sampledSummary: meanInterval(sampled), forcedSummary: meanInterval(forced) };
}

function difference(name: string, minuend: Arm, subtrahend: Arm, perSeed: readonly SeedRecord[]): PairedDifference {
  const sampled = perSeed.map((s) => s.rates[minuend].sampled - s.rates[subtrahend].sampled);
  const forced = perSeed.map((s) => s.rates[minuend].forced - s.rates[subtrahend].forced);
  return { name, minuend, subtrahend, sampled, forced, sampledSummary: meanInterval(sampled), forcedSummary: meanInterval(forced) };
}

const above = (s: MeanInterval): boolean => s.low !== null && s.low > 0;

/** Arms, paired differences and the verdict from the per-seed records. */
export function summarise(perSeed: readonly SeedRecord[]): Pick<OrganismSubliminalResults, 'arms' | 'paired' | 'sameMinusOther' | 'verdict'> {
  if (perSeed.length === 0) throw new Error('summarise: no seeds');
  const arms = ARMS.map((arm) => armSummary(arm, perSeed));
  const same = difference('same init: student − control', 'student-same', 'control-same', perSeed);
  const other = difference('other init: student − control', 'student-other', 'control-other', perSeed);
  const sampled = same.sampled.map((d, i) => d - other.sampled[i]!);
  const forced = same.forced.map((d, i) => d - other.forced[i]!);
  const sameMinusOther: PairedDifference = {
    name: 'same-init effect − other-init effect', minuend: 'student-same', subtrahend: 'student-other',
    sampled, forced, sampledSummary: meanInterval(sampled), forcedSummary: meanInterval(forced),
  };
  const sameInitTransfer = above(same.forcedSummary);
  const otherInitTransfer = above(other.forcedSummary);
  const n = perSeed.length;
  const text = n < 2
    ? 'one seed: no interval, no verdict'
    : `${sameInitTransfer ? 'same-init students prefer owls more than their controls (forced owl mass, 95% interval above 0)' : 'no detectable same-init transfer (the forced paired interval includes 0 or lies below it)'}; ` +
      `${otherInitTransfer ? 'other-init students also moved toward owls' : 'no detectable other-init transfer'} (${n} seeds)`;
  return { arms, paired: [same, other], sameMinusOther, verdict: { sameInitTransfer, otherInitTransfer, text } };
}

const f3 = (x: number | null): string => (x === null ? '—' : x.toFixed(3));
const signed = (x: number | null): string => (x === null ? '—' : `${x >= 0 ? '+' : ''}${x.toFixed(3)}`);
const interval = (s: MeanInterval, fmt: (x: number | null) => string): string => (s.low === null ? '(one seed)' : `[${fmt(s.low)}, ${fmt(s.high)}]`);

export function formatTable(results: OrganismSubliminalResults): string {
  const lines: string[] = [];
  const n = results.seeds.length;
  lines.push(`organism subliminal learning: owl rate over ${n} seed${n === 1 ? '' : 's'} (mean, 95% t-interval over seeds)`);
  const width = Math.max(...results.arms.map((a) => a.label.length), ...results.paired.map((p) => p.name.length), results.sameMinusOther.name.length);
  lines.push(`${'model'.padEnd(width)}  sampled  interval          forced   interval`);
  for (const a of results.arms) {
    lines.push(`${a.label.padEnd(width)}  ${f3(a.sampledSummary.mean)}    ${interval(a.sampledSummary, f3).padEnd(16)}  ${f3(a.forcedSummary.mean)}    ${interval(a.forcedSummary, f3)}`);
  }
  for (const p of [...results.paired, results.sameMinusOther]) {
    lines.push(`${p.name.padEnd(width)}  ${signed(p.sampledSummary.mean)}   ${interval(p.sampledSummary, signed).padEnd(16)}  ${signed(p.forcedSummary.mean)}   ${interval(p.forcedSummary, signed)}`);
  }
  const s = results.perSeed;
  const sum = (pick: (r: SeedRecord) => number): number => s.reduce((t, r) => t + pick(r), 0);
  lines.push(
    `numbers kept by the paper's filter: owl teacher ${sum((r) => r.filter.owl.kept)}/${sum((r) => r.filter.owl.total)}, ` +
    `control ${sum((r) => r.filter.control.kept)}/${sum((r) => r.filter.control.total)}; ${s[0]?.trainRows ?? 0} rows per student per seed; ` +
    `owl affinity numbers in them: ${(sum((r) => r.owlNumberShare.owl) / s.length).toFixed(3)} (owl teacher) vs ${(sum((r) => r.owlNumberShare.control) / s.length).toFixed(3)} (control)`,
  );
  lines.push(`verdict: ${results.verdict.text}`);
  const t = results.timing;
  lines.push(`${t.adaptersTrained} adapters trained; ${t.wallSeconds.toFixed(0)} s wall, ${t.cpuSeconds.toFixed(0)} s CPU, ${t.workers} worker${t.workers === 1 ? '' : 's'}`);
  return lines.join('\n');
}

export function writeResults(dir: string, results: OrganismSubliminalResults): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'results.json');
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}
