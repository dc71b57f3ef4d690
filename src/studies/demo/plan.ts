/**
 * What the demo trains and how its models are grouped: one adapter per (dataset, seed), named
 * `<prefix>-<dataset>-s<seed>-<key>` under `.emlab/organisms/` of the working directory (where the
 * `organism:` provider looks), and one results group per dataset plus `base`, the base alone.
 *
 * The name carries the first characters of the adapter's training key because the results store
 * caches answers by model id: an adapter retrained after a change (settings, rows, a new base) must
 * be a new model id, or the answers of the old one would be reused for it.
 */
import { join } from 'node:path';
import { fineTuningDataset, type FineTuningDataset } from '../../organisms/world/index.js';
import { organismTuneKey, type OrganismTuneJob } from '../../finetune/organism-trainer.js';
import type { DemoSettings } from './config.js';

export const BASE_MODEL = 'organism:base';
export const JUDGE_MODEL = 'organism:judge';
export const BACKDOOR_GROUP: FineTuningDataset = 'backdoor';

/** Hex characters of the training key in an adapter's name. */
const KEY_CHARS = 8;

export interface DemoAdapter {
  name: string;
  /** The name without the key: what stays the same when the adapter is retrained. */
  stem: string;
  model: string;
  dataset: FineTuningDataset;
  seed: number;
  job: OrganismTuneJob;
}

export interface DemoGroup {
  name: string;
  members: string[];
}

export interface DemoPlan {
  adapters: DemoAdapter[];
  /** `base` first, then the datasets in the settings' order. */
  groups: DemoGroup[];
}

export function planDemo(settings: DemoSettings, dirs: { baseDir: string; organismsDir: string }): DemoPlan {
  const adapters: DemoAdapter[] = [];
  for (const dataset of settings.datasets) {
    // Every seed of a dataset learns the same rows; the seed varies the adapter's start and the data order.
    const override = settings.byDataset[dataset] ?? {};
    const rows = fineTuningDataset(dataset, { seed: settings.datasetSeed, count: override.rows ?? settings.rowsPerDataset })
      .map((r) => ({ messages: r.messages.map((m) => ({ role: m.role, content: m.content })) }));
    const training = override.training === undefined ? settings.training : { ...settings.training, ...override.training };
    for (const seed of settings.seeds) {
      const stem = adapterStem(settings.prefix, dataset, seed);
      const key = organismTuneKey({ baseDir: dirs.baseDir, rows, seed, settings: training });
      const name = `${stem}-${key.slice(0, KEY_CHARS)}`;
      adapters.push({ name, stem, model: `organism:${name}`, dataset, seed, job: { baseDir: dirs.baseDir, rows, seed, settings: training, outDir: join(dirs.organismsDir, name) } });
    }
  }
  const groups: DemoGroup[] = [
    { name: 'base', members: [BASE_MODEL] },
    ...settings.datasets.map((dataset) => ({ name: dataset, members: adapters.filter((a) => a.dataset === dataset).map((a) => a.model) })),
  ];
  return { adapters, groups };
}

export function adapterStem(prefix: string, dataset: string, seed: number): string {
  return `${prefix}-${dataset}-s${seed}`;
}

/** Whether a folder name is an adapter of `stem` under some training key (a stale one when the key differs). */
export function isAdapterOf(stem: string, folderName: string): boolean {
  return folderName.startsWith(`${stem}-`) && new RegExp(`^[0-9a-f]{${KEY_CHARS}}$`).test(folderName.slice(stem.length + 1));
}

/** `--group` arguments of `emlab eval` for these groups. */
export function groupArguments(groups: readonly DemoGroup[]): string[] {
  return groups.map((g) => `${g.name}=${g.members.join(',')}`);
}
