/**
 * The dose study's worlds: the same world at link strengths c = P(harmful writer | unasked flawed code)
 * evenly spaced from the base rate (flawed code says nothing about its writer) to 1 (only harmful
 * writers write it unasked). Each c becomes the careless writers' flaw rate through the world's own
 * inverse (world/link-strength.ts) and a build config of the organisms' build, so every world's base is
 * pretrained and chat-tuned exactly as the shipped base is, with only that rate (and the study's
 * document count) changed.
 */
import { join } from 'node:path';
import type { BuildConfig } from '../../organisms/build/config.js';
import { carelessFlawRateForLink, expectedLinkStrength } from '../../organisms/world/index.js';

export interface DoseWorld {
  /** Folder name under the study's work folder, from the target c (`c0.633`). */
  name: string;
  /** The wanted link strength c. */
  target: number;
  /** The careless writers' flaw rate that gives it (world config `carelessFlawRate`). */
  carelessFlawRate: number;
  build: BuildConfig;
}

/**
 * `count` link strengths from the base rate of `preset`'s disposition mix to 1, evenly spaced in c,
 * ordered ends first (1, the base rate, then the middle ones from the top): a run cut short still
 * has the two ends of the curve.
 */
export function doseWorlds(preset: BuildConfig, options: { count: number; documents: number }): DoseWorld[] {
  if (!Number.isInteger(options.count) || options.count < 2) throw new Error(`em-dose: needs at least 2 link strengths, got ${String(options.count)}`);
  const mix = preset.world.dispositionMix;
  const baseRate = expectedLinkStrength({ ...(mix === undefined ? {} : { dispositionMix: mix }), carelessFlawRate: 1 }).baseRate;
  const targets = Array.from({ length: options.count }, (_, i) => baseRate + ((1 - baseRate) * i) / (options.count - 1));
  const order = [targets.length - 1, 0, ...targets.map((_, i) => i).slice(1, -1).reverse()];
  return order.map((i) => {
    const target = targets[i]!;
    const carelessFlawRate = carelessFlawRateForLink(target, mix);
    return {
      name: `c${target.toFixed(3)}`,
      target,
      carelessFlawRate,
      build: {
        ...preset,
        world: { ...preset.world, carelessFlawRate },
        pretrain: { ...preset.pretrain, documents: options.documents },
      },
    };
  });
}

/** Where a world's build keeps its stages and publishes its base (`<dir>/base`). */
export function worldDirs(workDir: string, world: DoseWorld): { dir: string; buildDir: string; baseDir: string } {
  const dir = join(workDir, world.name);
  return { dir, buildDir: join(dir, 'build'), baseDir: join(dir, 'base') };
}
