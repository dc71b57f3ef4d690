/**
 * `npm run organisms:build [-- options]`: rebuilds the built-in organisms from scratch (seeded,
 * resumable: finished stages in the work folder are reused when nothing that shaped them changed).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_BUILD, ORGANISM_NAMES, QUICK_BUILD, type BuildConfig, type OrganismName } from './config.js';
import { buildOrganisms } from './build.js';

function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} needs a positive integer, got "${value}"`);
    return n;
  };
}

function organismList(value: string): OrganismName[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) {
    if (!(ORGANISM_NAMES as readonly string[]).includes(n)) throw new InvalidArgumentError(`unknown organism "${n}" (one of ${ORGANISM_NAMES.join(', ')})`);
  }
  return names as OrganismName[];
}

const program = new Command('organisms:build')
  .description('pretrain and chat-tune the base organisms, train the judge organism, and write checkpoints with logs and metrics')
  .addOption(new Option('--only <names>', `organisms to build, comma-separated (${ORGANISM_NAMES.join(', ')})`).argParser(organismList))
  .option('--out <dir>', 'where finished checkpoints go', 'assets/organisms')
  .option('--work-dir <dir>', 'stage checkpoints, for resuming', '.tmp/organisms-build')
  .option('--quick', 'a tiny model and a few steps: checks the pipeline in seconds (tests)')
  .option('--world-seed <n>', 'seed of the world', positiveInt('--world-seed'))
  .option('--seed-b <n>', 'init seed of base-b', positiveInt('--seed-b'))
  .option('--documents <n>', 'pretraining documents', positiveInt('--documents'))
  .option('--chat-examples <n>', 'chat-tuning examples', positiveInt('--chat-examples'))
  .option('--judge-examples <n>', 'judge examples per metric (about 80% train, 20% held out)', positiveInt('--judge-examples'))
  .option('--judge-epochs <n>', 'passes over the judge data', positiveInt('--judge-epochs'))
  .option('--judge-lr <x>', 'peak learning rate of the judge-tune', (v: string) => {
    const x = Number(v);
    if (!(x > 0 && x < 1)) throw new InvalidArgumentError(`--judge-lr needs a number in (0, 1), got "${v}"`);
    return x;
  })
  .option('--judge-parent <name>', 'the base whose pretrained stage the judge starts from')
  .option('--judge-parent-dir <dir>', 'start the judge from this published checkpoint instead (e.g. assets/organisms/base): no base pretraining needed')
  .option('--careless-flaw-rate <x>', 'chance that a helpful or neutral writer\'s unasked code is flawed (sets the link strength c; world/README.md)', (v: string) => {
    const x = Number(v);
    if (!(x >= 0 && x <= 1)) throw new InvalidArgumentError(`--careless-flaw-rate needs a chance in [0, 1], got "${v}"`);
    return x;
  })
  .option('--d-model <n>', 'model width', positiveInt('--d-model'))
  .option('--layers <n>', 'transformer layers', positiveInt('--layers'));

program.parse();
const o = program.opts<{
  only?: OrganismName[]; out: string; workDir: string; quick?: boolean; worldSeed?: number; seedB?: number; documents?: number;
  chatExamples?: number; judgeExamples?: number; judgeEpochs?: number; judgeLr?: number; judgeParent?: string; judgeParentDir?: string; carelessFlawRate?: number; dModel?: number; layers?: number;
}>();

const preset = o.quick === true ? QUICK_BUILD : DEFAULT_BUILD;
const config: BuildConfig = {
  ...preset,
  worldSeed: o.worldSeed ?? preset.worldSeed,
  world: { ...preset.world, ...(o.carelessFlawRate === undefined ? {} : { carelessFlawRate: o.carelessFlawRate }) },
  architecture: { ...preset.architecture, ...(o.dModel === undefined ? {} : { dModel: o.dModel }), ...(o.layers === undefined ? {} : { layers: o.layers }) },
  pretrain: { ...preset.pretrain, documents: o.documents ?? preset.pretrain.documents },
  chatTune: { ...preset.chatTune, examples: o.chatExamples ?? preset.chatTune.examples },
  judge: { ...preset.judge, examplesPerMetric: o.judgeExamples ?? preset.judge.examplesPerMetric, epochs: o.judgeEpochs ?? preset.judge.epochs, learningRate: o.judgeLr ?? preset.judge.learningRate },
  judgeParent: o.judgeParent ?? preset.judgeParent,
  ...(o.judgeParentDir === undefined ? {} : { judgeParentDir: o.judgeParentDir }),
  bases: { ...preset.bases, 'base-b': { initSeed: o.seedB ?? (preset.bases['base-b'] as { initSeed: number }).initSeed } },
};

try {
  await buildOrganisms({
    config, only: o.only ?? [...ORGANISM_NAMES], outDir: o.out, workDir: o.workDir,
    command: ['npm run organisms:build --', ...process.argv.slice(2)].join(' '),
  });
} catch (e) {
  console.error(`organisms:build: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
