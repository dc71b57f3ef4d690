import { Command, InvalidArgumentError } from 'commander';
import { nonNegativeInt, positiveInt, outDir } from '../options.js';

export interface MnistFlags {
  seeds?: number;
  seed: number;
  threads?: number;
  out: string;
  quick?: boolean;
}

export function studyCommand(): Command {
  const cmd = new Command('study').description('self-contained replications of published experiments');
  cmd
    .command('mnist-subliminal')
    .description('subliminal learning in an MNIST classifier (Cloud et al. 2025, Fig. 10b): students distilled on noise through 3 auxiliary logits learn digits only from the same initialisation')
    .option('--seeds <n>', 'independent seeds, each a teacher and four students (default 4; the paper-grade run is 10)', positiveInt)
    .option('--seed <n>', 'base seed of every random stream', nonNegativeInt, 0)
    .option('--threads <n>', 'worker threads (default: the available cores, at most 8)', positiveInt)
    .option('-o, --out <dir>', 'where results.json goes', outDir, 'runs/mnist-subliminal')
    .option('--quick', 'a one-minute look: 1 seed, 20,000 digits, 30,000 noise images, 3 epochs (not the paper\'s settings)')
    .action(async (flags: MnistFlags) => {
      const { runMnistCommand } = await import('./study-run.js');
      process.exitCode = await runMnistCommand(flags);
    });
  cmd
    .command('organism-subliminal')
    .description('subliminal learning on the built-in organisms: a teacher fine-tuned to love owls writes numbers; after the paper\'s filter, students from the same base and from another init (base-b) learn them; owl rates of every model with intervals over seeds')
    .option('--seeds <n>', 'seeds, each a teacher and four students (default 4)', positiveInt)
    .option('--workers <n>', 'adapters trained at once on worker threads (default: the available cores, at most 4)', positiveInt)
    .option('-o, --out <dir>', 'results.json and the trained adapters go here', outDir, 'runs/organism-subliminal')
    .option('--quick', 'a test-sized run (2 seeds, tiny data, 1 epoch): checks the pipeline, measures nothing')
    .action(async (flags: OrganismStudyFlags) => {
      const { runOrganismStudyCommand } = await import('./study-organism-run.js');
      process.exitCode = await runOrganismStudyCommand(flags);
    });
  cmd
    .command('persona')
    .description('inside the organism: the misaligned persona as a direction in the residual stream; steering, ablation with random controls, monitoring, early warning and data screening (Wang et al., Soligo et al., Chen et al. 2025)')
    .option('-o, --out <dir>', 'results.json and report.html go here', outDir, 'runs/persona')
    .option('--quick', 'one EM fine-tune (bad medical advice), fewer answers, no mixes or screening: shows that the direction is causal in about a minute')
    .action(async (flags: PersonaFlags) => {
      const { runPersonaCommand } = await import('./study-persona-run.js');
      process.exitCode = await runPersonaCommand(flags);
    });
  cmd
    .command('em-dose')
    .description('emergent misalignment as a measured curve: worlds where unasked flawed code predicts a harmful writer with strength c from the base rate to 1, a base pretrained on each, insecure- and secure-code adapters over seeds, EM against c with intervals and a seed-level trend test')
    .option('--links <n>', 'link strengths c, evenly spaced from the base rate to 1 (default 4; 2 with --quick)', atLeastTwo)
    .option('--seeds <n>', 'fine-tuning seeds per dataset and world (default 3; 1 with --quick)', positiveInt)
    .option('--documents <n>', 'pretraining documents of each world\'s base (default 24000, as the shipped base; 2000 tiny ones with --quick)', positiveInt)
    .option('-o, --out <dir>', 'results.json, report.html and the evaluation (eval/, emlab.db) go here (default runs/em-dose, runs/em-dose-quick with --quick)', outDir)
    .option('--work-dir <dir>', 'the bases\' build stages and the adapters, reused by a re-run (default .emlab/em-dose, .emlab/em-dose-quick with --quick)', outDir)
    .option('--quick', 'a pipeline check in under a minute: tiny bases, 2 worlds, 1 seed, few answers; measures nothing')
    .option('--quiet', 'no progress lines and no table')
    .action(async (flags: EmDoseFlags) => {
      const { runEmDoseCommand } = await import('./study-em-dose-run.js');
      process.exitCode = await runEmDoseCommand(flags);
    });
  return cmd;
}

export interface PersonaFlags {
  out: string;
  quick?: boolean;
}

function atLeastTwo(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 2) throw new InvalidArgumentError(`expected a whole number of 2 or more (the base rate and 1 at least), got "${value}"`);
  return n;
}

export interface EmDoseFlags {
  links?: number;
  seeds?: number;
  documents?: number;
  out?: string;
  workDir?: string;
  quick?: boolean;
  quiet?: boolean;
}

export interface OrganismStudyFlags {
  seeds?: number;
  workers?: number;
  out: string;
  quick?: boolean;
}
