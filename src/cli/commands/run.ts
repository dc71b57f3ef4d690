import { Command, InvalidArgumentError } from 'commander';
import { positiveInt } from '../options.js';
import type { RunFlags } from './run-experiment.js';

export function runCommand(): Command {
  return new Command('run')
    .description(
      'run an experiment file: datasets -> fine-tunes -> evaluations -> comparisons and gates, each step cached under the hash of its inputs ' +
        '(a re-run does only what is missing; a finished experiment sends no request). Exit 0 done, 1 error or a failed fine-tune, 2 incomplete (run again), 3 a gate failed',
    )
    .argument('<file>', 'experiment YAML file (see examples/)')
    .option('--dry-run', 'print every step with its requests, tokens and estimated cost, then stop')
    .option('--pin', 'download every {url} dataset that has no sha256 yet, check it, and write its sha256 into the file, then stop')
    .option('--workers <n>', 'organism adapters trained at once (one core each)', positiveInt, 2)
    .option('--poll-interval <seconds>', 'longest wait between two looks at a running fine-tuning job', positiveSeconds, 60)
    .option('--retry-failed', 'create a new job for a fine-tune whose job failed, was cancelled or was lost (otherwise reported, exit 1)')
    .option('--quiet', 'no progress lines')
    .action(async (file: string, flags: RunFlags) => {
      const { runExperimentCommand } = await import('./run-experiment.js');
      process.exitCode = await runExperimentCommand(file, flags);
    });
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number of seconds above 0, got "${value}"`);
  return n;
}
