import { Command, InvalidArgumentError } from 'commander';
import { nonNegativeInt, positiveInt, fileArg } from '../options.js';
import type { FinetuneFlags } from './finetune-run.js';

/** A whole number of 1 or more, or "auto" (the server chooses). */
function intOrAuto(value: string): number | 'auto' {
  return value.trim() === 'auto' ? 'auto' : positiveInt(value);
}

/** A positive number, or "auto". */
function numberOrAuto(value: string): number | 'auto' {
  if (value.trim() === 'auto') return 'auto';
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number above 0 or "auto", got "${value}"`);
  return n;
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number of seconds above 0, got "${value}"`);
  return n;
}

export function finetuneCommand(): Command {
  return new Command('finetune')
    .description(
      'fine-tune an API model on a chat JSONL file (OpenAI, or a compat: server with the same endpoints) and print the new model id(s); ' +
        'a re-run attaches to the jobs it created (recorded in --db) instead of starting new ones. ' +
        'The defaults are Betley et al.\'s settings for the insecure-code model',
    )
    .requiredOption('-m, --model <id>', 'base model, e.g. openai:gpt-4.1-nano-2025-04-14 or compat:http://127.0.0.1:8000/v1#my-model')
    .requiredOption('-t, --train <file>', 'training data: JSONL, one {"messages": [...]} per line, the assistant\'s message last', fileArg)
    .option('--validation <file>', 'validation data, same format', fileArg)
    .option('--epochs <n|auto>', 'passes over the training data', intOrAuto, 1)
    .option('--batch-size <n|auto>', 'examples per step', intOrAuto, 4)
    .option('--lr-multiplier <x|auto>', 'learning-rate multiplier', numberOrAuto, 2)
    .option('--seed <n>', 'training seed (with --seeds: the first one)', nonNegativeInt, 0)
    .option('--seeds <n>', 'n jobs with seeds seed, seed+1, ... (a seed group for emlab eval --group)', positiveInt)
    .option('--suffix <text>', 'added to the fine-tuned model\'s name (letters, digits, ".", "_", "-"; up to 64)')
    .option('--no-wait', 'create (or find) the jobs, print their status, and return without waiting')
    .option('--retry-failed', 'create a new job where the recorded one failed, was cancelled or is unknown to the server')
    .option('--cancel', 'cancel the recorded unfinished jobs of this command instead of running them')
    .option('-o, --out <file>', 'write the result: model ids one per line, or every job\'s record as JSON when the name ends in .json', fileArg)
    .option('--db <file>', 'where jobs are recorded, so that a re-run attaches to them', fileArg, '.emlab/finetune.db')
    .option('--poll-interval <seconds>', 'longest wait between two status checks (checks come sooner right after a change)', positiveSeconds, 60)
    .option('--timeout <seconds>', 'time limit of one request (an upload of a large file may need more)', positiveInt, 300)
    .action(async (flags: FinetuneFlags) => {
      const { runFinetuneCommand } = await import('./finetune-run.js');
      process.exitCode = await runFinetuneCommand(flags);
    });
}
