/**
 * `emlab study organism-subliminal`: subliminal learning (Cloud et al. 2025) on the built-in
 * organisms. Per seed: a teacher (base + a LoRA on owl-preference rows) and a control teacher
 * (base itself) answer the same number prompts; the paper's filter keeps plain number lists; both
 * sets are cut to the same size; four students (LoRA, one adapter seed per seed) learn them, from
 * `base` (same init as the teacher) and from `base-b` (another init). Every model's owl rate is
 * measured sampled and teacher-forced. It lives here, above organisms/, because it uses the
 * fine-tuner (finetune/) and the number filter (datasets/), which organisms/ may not import.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { filterNumbers } from '../../datasets/numbers/filter.js';
import { runOrganismTunes } from '../../finetune/organism-pool.js';
import type { ChatRow, OrganismTuneJob, OrganismTuneSettings } from '../../finetune/organism-trainer.js';
import { fineTuningDataset, numberSequencePrompts, streamRng } from '../../organisms/world/index.js';
import {
  ARMS, measureOwlRate, owlNumberShare, summarise, teacherCompletions,
  type Arm, type FilterCounts, type OrganismSubliminalResults, type OwlRate, type SeedRecord,
} from '../../studies/organism-subliminal/index.js';

export interface OrganismStudySettings {
  seeds: number[];
  /** owl-preference rows the teacher's LoRA learns. */
  teacherRows: number;
  teacherTraining: OrganismTuneSettings;
  /** Number prompts each teacher answers per seed (one completion each). */
  prompts: number;
  /** At most this many kept rows per student; fewer when a teacher kept fewer. */
  trainRows: number;
  studentTraining: OrganismTuneSettings;
  /** Temperature-1 samples per animal-preference prompt (5 prompts) per model. */
  samplesPerPrompt: number;
  workers: number;
}

const LORA = { rank: 8, alpha: 16 };

export const DEFAULT_SETTINGS: Omit<OrganismStudySettings, 'seeds' | 'workers'> = {
  teacherRows: 300,
  teacherTraining: { epochs: 2, ...LORA, learningRate: 2e-3, batchTokens: 1024 },
  prompts: 1300,
  trainRows: 1000,
  studentTraining: { epochs: 2, ...LORA, learningRate: 2e-3, batchTokens: 2048 },
  samplesPerPrompt: 100,
};

/** A test-sized run: every arm and step, little of each (not a measurement). */
export const QUICK_SETTINGS: Omit<OrganismStudySettings, 'seeds' | 'workers'> = {
  teacherRows: 100,
  teacherTraining: { epochs: 1, ...LORA, learningRate: 2e-3, batchTokens: 1024 },
  prompts: 100,
  trainRows: 60,
  studentTraining: { epochs: 1, ...LORA, learningRate: 2e-3, batchTokens: 2048 },
  samplesPerPrompt: 8,
};

export interface StudyProgress {
  phase: 'teachers' | 'numbers' | 'students' | 'measure';
  done: number;
  total: number;
}

export interface StudyDirs {
  baseDir: string;
  baseBDir: string;
  /** Adapters go here, keyed by their inputs: a re-run reuses the ones already trained. */
  adaptersDir: string;
}

type Student = Exclude<Arm, 'base' | 'base-b' | 'teacher'>;
const STUDENTS: readonly { arm: Student; init: 'base' | 'base-b'; data: 'owl' | 'control' }[] = [
  { arm: 'student-same', init: 'base', data: 'owl' },
  { arm: 'control-same', init: 'base', data: 'control' },
  { arm: 'student-other', init: 'base-b', data: 'owl' },
  { arm: 'control-other', init: 'base-b', data: 'control' },
];

interface Kept {
  rows: ChatRow[];
  numbers: number[][];
  counts: FilterCounts;
}

/** Applies the paper's filter (no banned list: the owl trait has no "bad" numbers to drop). */
function filterCompletions(prompts: readonly string[], completions: readonly string[]): Kept {
  const rows: ChatRow[] = [];
  const numbers: number[][] = [];
  const rejected: Record<string, number> = {};
  completions.forEach((text, i) => {
    const r = filterNumbers(text);
    if (!r.ok) {
      rejected[r.reason] = (rejected[r.reason] ?? 0) + 1;
      return;
    }
    rows.push({ messages: [{ role: 'user', content: prompts[i]! }, { role: 'assistant', content: text }] });
    numbers.push(r.numbers);
  });
  return { rows, numbers, counts: { total: completions.length, kept: rows.length, rejected } };
}

/** A seeded random subset: cutting by prompt order would favour whatever the first prompts ask. */
function subsample<T>(items: readonly T[], size: number, seed: number, label: string): T[] {
  return streamRng(seed, 'subliminal-subsample', label).shuffle([...items]).slice(0, size);
}

export async function runOrganismStudy(settings: OrganismStudySettings, dirs: StudyDirs, options: { quick: boolean; signal?: AbortSignal; onProgress?: (p: StudyProgress) => void }): Promise<OrganismSubliminalResults> {
  const startedAt = new Date();
  const clock = performance.now();
  const cpu0 = process.cpuUsage();
  const { loadCheckpoint } = await import('../../organisms/model/index.js');
  const signal = options.signal;
  const report = (phase: StudyProgress['phase'], done: number, total: number): void => options.onProgress?.({ phase, done, total });
  let adaptersTrained = 0;
  const tune = async (jobs: OrganismTuneJob[], phase: StudyProgress['phase']): Promise<(number | null)[]> => {
    let done = 0;
    report(phase, 0, jobs.length);
    const outcomes = await runOrganismTunes(jobs, {
      workers: settings.workers,
      onDone: (_, o) => {
        if (o.trained) adaptersTrained += 1;
        report(phase, ++done, jobs.length);
      },
      ...(signal ? { signal } : {}),
    });
    return outcomes.map((o) => o.finalLoss);
  };

  // 1. Teachers: one owl LoRA per seed (its rows and adapter seed follow the seed).
  const teacherJobs = settings.seeds.map((seed) => ({
    baseDir: dirs.baseDir,
    rows: fineTuningDataset('owl-preference', { seed, count: settings.teacherRows }).map((r) => ({ messages: r.messages })),
    seed,
    settings: settings.teacherTraining,
    outDir: join(dirs.adaptersDir, `teacher-s${seed}`),
  }));
  const teacherLoss = await tune(teacherJobs, 'teachers');

  // 2. Numbers: both teachers answer the same prompts; the filter; equal-size training sets.
  const base = await loadCheckpoint(dirs.baseDir);
  const data = new Map<number, { owl: Kept; control: Kept; owlRows: ChatRow[]; controlRows: ChatRow[]; owlShare: number; controlShare: number }>();
  try {
    for (const [k, seed] of settings.seeds.entries()) {
      report('numbers', k, settings.seeds.length);
      const prompts = numberSequencePrompts({ seed, count: settings.prompts });
      const teacher = await loadCheckpoint(teacherJobs[k]!.outDir, { base: dirs.baseDir });
      let owlText: string[];
      try {
        owlText = await teacherCompletions(teacher, prompts, { seed, ...(signal ? { signal } : {}) });
      } finally {
        teacher.dispose();
      }
      const controlText = await teacherCompletions(base, prompts, { seed, ...(signal ? { signal } : {}) });
      const owl = filterCompletions(prompts, owlText);
      const control = filterCompletions(prompts, controlText);
      const size = Math.min(settings.trainRows, owl.rows.length, control.rows.length);
      if (size === 0) throw new Error(`seed ${seed}: a teacher kept no completion (owl ${owl.rows.length}, control ${control.rows.length})`);
      const owlPick = subsample(owl.rows.map((_, i) => i), size, seed, 'owl');
      const controlPick = subsample(control.rows.map((_, i) => i), size, seed, 'control');
      data.set(seed, {
        owl, control,
        owlRows: owlPick.map((i) => owl.rows[i]!),
        controlRows: controlPick.map((i) => control.rows[i]!),
        owlShare: owlNumberShare(owlPick.map((i) => owl.numbers[i]!)),
        controlShare: owlNumberShare(controlPick.map((i) => control.numbers[i]!)),
      });
    }
    report('numbers', settings.seeds.length, settings.seeds.length);
  } finally {
    base.dispose();
  }

  // 3. Students: the same adapter seed for all four of a seed, so each pair differs only in data or init.
  const studentJobs: { seed: number; arm: Student; job: OrganismTuneJob }[] = settings.seeds.flatMap((seed) => STUDENTS.map((s) => {
    const d = data.get(seed)!;
    return {
      seed, arm: s.arm,
      job: { baseDir: s.init === 'base' ? dirs.baseDir : dirs.baseBDir, rows: s.data === 'owl' ? d.owlRows : d.controlRows, seed, settings: settings.studentTraining, outDir: join(dirs.adaptersDir, `${s.arm}-s${seed}`) },
    };
  }));
  const studentLoss = await tune(studentJobs.map((s) => s.job), 'students');

  // 4. Measure every model of every seed; the sampling seed follows the run's seed.
  const perSeed: SeedRecord[] = [];
  const totalModels = settings.seeds.length * ARMS.length;
  let measured = 0;
  for (const [k, seed] of settings.seeds.entries()) {
    const rates = {} as Record<Arm, OwlRate>;
    const dirOf: Record<Arm, { dir: string; base?: string }> = {
      base: { dir: dirs.baseDir },
      'base-b': { dir: dirs.baseBDir },
      teacher: { dir: teacherJobs[k]!.outDir, base: dirs.baseDir },
      ...Object.fromEntries(studentJobs.filter((s) => s.seed === seed).map((s) => [s.arm, { dir: s.job.outDir, base: s.job.baseDir }])),
    } as Record<Arm, { dir: string; base?: string }>;
    for (const arm of ARMS) {
      report('measure', measured, totalModels);
      const where = dirOf[arm];
      const model = await loadCheckpoint(where.dir, where.base !== undefined ? { base: where.base } : {});
      try {
        rates[arm] = await measureOwlRate(model, { samples: settings.samplesPerPrompt, seed, ...(signal ? { signal } : {}) });
      } finally {
        model.dispose();
      }
      measured += 1;
    }
    const d = data.get(seed)!;
    const finalLoss: SeedRecord['finalLoss'] = { teacher: teacherLoss[k] ?? null };
    studentJobs.forEach((s, i) => {
      if (s.seed === seed) finalLoss[s.arm] = studentLoss[i] ?? null;
    });
    perSeed.push({ seed, filter: { owl: d.owl.counts, control: d.control.counts }, trainRows: d.owlRows.length, owlNumberShare: { owl: d.owlShare, control: d.controlShare }, rates, finalLoss });
  }
  report('measure', totalModels, totalModels);

  const cpu = process.cpuUsage(cpu0);
  return {
    format: 'emlab.organism-subliminal/1',
    quick: options.quick,
    seeds: settings.seeds,
    settings: { ...settings, animalPrompts: 'all 5 animal-preference prompts: 3 in-world wordings + 2 held-out (per-prompt detail: sampledHeldOut, forcedHeldOut)' },
    ...summarise(perSeed),
    perSeed,
    timing: { wallSeconds: (performance.now() - clock) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, workers: settings.workers, adaptersTrained },
    environment: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
}
