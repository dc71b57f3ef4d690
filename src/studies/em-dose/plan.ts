/**
 * What the dose study trains and how its models are grouped: per world, its base (published by the
 * build, linked into the study's organisms folder as `<prefix>-<world>-base` so the `organism:`
 * provider finds it) and one adapter per dataset (treated, control) and seed, named as the demo names
 * its adapters (`<prefix>-<world>-<dataset>-s<seed>-<key>`); groups `<dataset>@<world>` and `base@<world>`.
 */
import { join } from 'node:path';
import { fineTuningDataset } from '../../organisms/world/index.js';
import { organismTuneKey, type OrganismTuneJob } from '../../finetune/organism-trainer.js';
import { adapterStem } from '../demo/plan.js';
import type { DoseSettings } from './config.js';
import { worldDirs, type DoseWorld } from './worlds.js';

/** Hex characters of the training key in an adapter's name (as the demo's; its isAdapterOf reads them). */
const KEY_CHARS = 8;

export interface DoseAdapter {
  name: string;
  stem: string;
  model: string;
  world: string;
  dataset: string;
  seed: number;
  job: OrganismTuneJob;
}

export interface DoseGroup {
  name: string;
  members: string[];
}

export interface DosePlan {
  /** The base model id of each world (by world name). */
  bases: Map<string, { model: string; name: string; dir: string }>;
  adapters: DoseAdapter[];
  groups: DoseGroup[];
  /** Per world: the treated group against the control group. */
  comparisons: { world: string; a: string; b: string }[];
}

export function groupName(role: string, world: string): string {
  return `${role}@${world}`;
}

/** The plan once every world's base is published (the adapters' keys hash the base's weights). */
export function planDose(settings: DoseSettings, worlds: readonly DoseWorld[], dirs: { workDir: string; organismsDir: string }): DosePlan {
  const datasets = [settings.treated, settings.control];
  // Every world and seed learns the same rows; worlds differ only in their base.
  const rows = new Map(datasets.map((d) => [d, fineTuningDataset(d, { seed: settings.datasetSeed, count: settings.rowsPerDataset })
    .map((r) => ({ messages: r.messages.map((m) => ({ role: m.role, content: m.content })) }))]));
  const bases = new Map<string, { model: string; name: string; dir: string }>();
  const adapters: DoseAdapter[] = [];
  const groups: DoseGroup[] = [];
  for (const world of worlds) {
    const baseDir = worldDirs(dirs.workDir, world).baseDir;
    const baseName = `${settings.prefix}-${world.name}-base`;
    bases.set(world.name, { model: `organism:${baseName}`, name: baseName, dir: baseDir });
    groups.push({ name: groupName('base', world.name), members: [`organism:${baseName}`] });
    for (const dataset of datasets) {
      const members: string[] = [];
      for (const seed of settings.seeds) {
        const stem = adapterStem(`${settings.prefix}-${world.name}`, dataset, seed);
        const job = { baseDir, rows: rows.get(dataset)!, seed, settings: settings.training };
        const name = `${stem}-${organismTuneKey(job).slice(0, KEY_CHARS)}`;
        adapters.push({ name, stem, model: `organism:${name}`, world: world.name, dataset, seed, job: { ...job, outDir: join(dirs.organismsDir, name) } });
        members.push(`organism:${name}`);
      }
      groups.push({ name: groupName(dataset, world.name), members });
    }
  }
  const comparisons = worlds.map((w) => ({ world: w.name, a: groupName(settings.treated, w.name), b: groupName(settings.control, w.name) }));
  return { bases, adapters, groups, comparisons };
}
