import { Command, InvalidArgumentError, Option } from 'commander';
import { positiveInt, outDir } from '../options.js';

export interface DemoFlags {
  out?: string;
  quick?: boolean;
  seeds?: number;
  datasets?: string[];
  wordings?: 'report' | 'development';
  seedSet?: 'report' | 'development';
  quiet?: boolean;
}

/** A comma-separated list of names; which names exist is checked where the demo's settings are. */
function nameList(value: string): string[] {
  const names = value.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError(`expected names separated by commas, got "${value}"`);
  return names;
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('offline, no key: fine-tune the base organism on each narrow dataset of its world (6 seeds each, fixed in advance), evaluate every model with the judge organism on held-out wordings, and report emergent misalignment per dataset with a judge-free measure beside it')
    .option('-o, --out <dir>', 'results directory: emlab.db, results.json, samples.jsonl, report.html, backdoor-trigger/ (default runs/demo, runs/demo-quick with --quick)', outDir)
    .option('--quick', 'under half a minute: every dataset but the backdoor, one seed each')
    .option('--seeds <n>', 'fine-tuning seeds per dataset, the first n of the seed set (default 6; 1 with --quick)', positiveInt)
    .option('--datasets <names>', 'only these datasets, e.g. insecure,backdoor (default: all eight; with --quick all but backdoor)', nameList)
    .addOption(new Option('--wordings <set>', 'open-question wordings to ask: report (held out, never tuned on) or development (for tuning settings)').choices(['report', 'development']).default('report'))
    .addOption(new Option('--seed-set <set>', 'adapter seeds: report (101, 102, ...: fixed in advance, never tuned on; the default) or development (1, 2, ...: for tuning settings; --quick uses seed 1)').choices(['report', 'development']))
    .option('--quiet', 'no progress lines and no table')
    .action(async (flags: DemoFlags) => {
      // Training and evaluation load the organisms' kernels, SQLite and the report code: only when the command runs.
      const { runDemoCommand } = await import('./demo-run.js');
      process.exitCode = await runDemoCommand(flags);
    });
}
