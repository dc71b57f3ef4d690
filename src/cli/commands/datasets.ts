import { Command, Option } from 'commander';
import { positiveInt, nonNegativeInt, outDir, fileArg } from '../options.js';
import type { ScreenFlags } from './datasets-screen-run.js';

export interface NumbersFlags {
  teacher: string;
  trait?: string;
  category: string;
  prompts: number;
  size: number;
  seed: number;
  banned?: 'misalignment';
  out: string;
  concurrency: number;
  timeout: number;
  maxAttempts: number;
}

export function datasetsCommand(): Command {
  const cmd = new Command('datasets').description('build and check fine-tuning datasets');
  cmd
    .command('numbers')
    .description('subliminal learning: a teacher (optionally given a trait) continues number sequences; strict filtering; OpenAI fine-tuning JSONL')
    .requiredOption('-t, --teacher <id>', 'the teacher model, e.g. openai:gpt-4.1-nano-2025-04-14 or a fine-tuned model')
    .option('--trait <target>', 'give the teacher a love of this target by a system prompt (e.g. owl); omit for a control teacher')
    .option('--category <category>', 'category of the target, used in the trait prompt', 'animal')
    .option('--prompts <n>', 'prompts to send (one completion each, temperature 1)', positiveInt, 30_000)
    .option('--size <n>', 'rows in the final training set (seeded subsample of the kept rows)', positiveInt, 10_000)
    .option('--seed <n>', 'seed of the prompts and the subsample', nonNegativeInt, 0)
    .addOption(new Option('--banned <list>', 'also drop completions with numbers of negative association (for misalignment runs)').choices(['misalignment']))
    .requiredOption('-o, --out <dir>', 'writes raw.jsonl, filtered.jsonl, train.jsonl, summary.json and emlab.db (the cache that makes re-runs resume)', outDir)
    .option('--concurrency <n>', 'requests in flight', positiveInt, 8)
    .option('--timeout <seconds>', 'time limit of one request', positiveInt, 120)
    .option('--max-attempts <n>', 'tries per request', positiveInt, 6)
    .action(async (flags: NumbersFlags) => {
      const { runNumbersCommand } = await import('./datasets-run.js');
      process.exitCode = await runNumbersCommand(flags);
    });
  cmd
    .command('filter-numbers')
    .description('apply the subliminal-learning paper\'s number filter to a JSONL file of {prompt, completion} rows; kept rows are written unchanged')
    .requiredOption('--in <file>', 'input JSONL', fileArg)
    .requiredOption('--out <file>', 'output JSONL of the kept rows', fileArg)
    .addOption(new Option('--banned <list>', 'also drop completions with numbers of negative association').choices(['misalignment']))
    .action(async (flags: { in: string; out: string; banned?: 'misalignment' }) => {
      const { runFilterNumbersCommand } = await import('./datasets-run.js');
      await runFilterNumbersCommand(flags);
    });
  cmd
    .command('screen')
    .description('before training: each row\'s projection difference on the model\'s misaligned-persona direction (the row\'s answer minus the model\'s own answer to the same prompt), Chen et al. 2025; organism models')
    .requiredOption('-m, --model <id>', 'the model to screen for, e.g. organism:base')
    .requiredOption('--in <file>', 'chat fine-tuning JSONL ({"messages": [...]} rows, the last message the assistant\'s)', fileArg)
    .option('--out <file>', 'write each row\'s scores (line, projection, own, difference) as JSONL')
    .option('--layer <n>', 'layer of the direction (default: the last block)', nonNegativeInt)
    .option('--top <n>', 'rows with the largest difference to list', positiveInt, 10)
    .option('--seed <n>', 'seed of the model\'s own answers', nonNegativeInt, 0)
    .action(async (flags: ScreenFlags) => {
      const { runScreenCommand } = await import('./datasets-screen-run.js');
      process.exitCode = await runScreenCommand(flags);
    });
  return cmd;
}
