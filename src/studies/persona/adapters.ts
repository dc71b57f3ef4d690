/**
 * The fine-tunes the study needs, as jobs for the demo's organism trainer pool: the demo's own adapters
 * for the EM datasets and their controls (`planDemo`: same rows, training, names and keys, so an
 * existing demo run is reused), the early-warning mixes of bad and good medical advice, and the
 * bad-medical rows with 10% dropped (by projection, or at random).
 */
import { join } from 'node:path';
import { organismTuneKey, type ChatRow, type OrganismTuneJob } from '../../finetune/organism-trainer.js';
import { fineTuningDataset, type FineTuningDataset } from '../../organisms/world/index.js';
import { DEMO_SETTINGS } from '../demo/config.js';
import { planDemo } from '../demo/plan.js';

export interface PersonaAdapter {
  /** Folder name under the organisms directory. */
  name: string;
  /** `insecure`, `mix-0.05`, `drop-top`, ... */
  group: string;
  seed: number;
  /** The bad share of a mix's rows (mixes only). */
  fraction?: number;
  job: OrganismTuneJob;
}

const DEMO = DEMO_SETTINGS.full;
const KEY_CHARS = 8;

function rowsOf(dataset: FineTuningDataset): ChatRow[] {
  return fineTuningDataset(dataset, { seed: DEMO.datasetSeed, count: DEMO.rowsPerDataset }).map((r) => ({ messages: r.messages.map((m) => ({ role: m.role, content: m.content })) }));
}

function job(name: string, group: string, seed: number, rows: ChatRow[], dirs: { baseDir: string; organismsDir: string }): PersonaAdapter {
  const key = organismTuneKey({ baseDir: dirs.baseDir, rows, seed, settings: DEMO.training });
  const full = `${name}-s${seed}-${key.slice(0, KEY_CHARS)}`;
  return { name: full, group, seed, job: { baseDir: dirs.baseDir, rows, seed, settings: DEMO.training, outDir: join(dirs.organismsDir, full) } };
}

/** The demo's adapters of these datasets and seeds. */
export function datasetAdapters(datasets: readonly FineTuningDataset[], seeds: readonly number[], dirs: { baseDir: string; organismsDir: string }): PersonaAdapter[] {
  if (datasets.length === 0) return [];
  const plan = planDemo({ ...DEMO, datasets: [...datasets], seeds: [...seeds] }, dirs);
  return plan.adapters.map((a) => ({ name: a.name, group: a.dataset, seed: a.seed, job: a.job }));
}

/**
 * Mixes of the demo's 500 bad- and good-medical rows: the first round(f n) rows bad, the rest good, so
 * the 0% and 100% mixes are the demo's good-medical and bad-medical rows (and adapters) exactly.
 */
export function mixAdapters(fractions: readonly number[], seeds: readonly number[], dirs: { baseDir: string; organismsDir: string }): PersonaAdapter[] {
  const bad = rowsOf('bad-medical');
  const good = rowsOf('good-medical');
  return fractions.flatMap((f) => {
    const k = Math.round(f * bad.length);
    if (k === 0) return datasetAdapters(['good-medical'], seeds, dirs).map((a) => ({ ...a, group: mixGroup(f), fraction: f }));
    if (k === bad.length) return datasetAdapters(['bad-medical'], seeds, dirs).map((a) => ({ ...a, group: mixGroup(f), fraction: f }));
    const rows = [...bad.slice(0, k), ...good.slice(k)];
    return seeds.map((seed) => ({ ...job(`persona-mix${Math.round(f * 1000)}`, mixGroup(f), seed, rows, dirs), fraction: f }));
  });
}

export function mixGroup(fraction: number): string {
  return `mix-${fraction}`;
}

/** The bad-medical rows without the given row indices (the screened retraining). */
export function dropAdapters(label: 'top' | 'random', dropped: ReadonlySet<number>, seeds: readonly number[], dirs: { baseDir: string; organismsDir: string }): PersonaAdapter[] {
  const rows = rowsOf('bad-medical').filter((_, i) => !dropped.has(i));
  return seeds.map((seed) => job(`persona-drop-${label}`, `drop-${label}`, seed, rows, dirs));
}

/** The rows a dataset's adapters learn (the screening reads the same rows). */
export function datasetRows(dataset: FineTuningDataset): ChatRow[] {
  return rowsOf(dataset);
}
