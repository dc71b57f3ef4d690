import { Command, Option } from 'commander';
import { DEFAULT_SAMPLING } from '../../eval/plan.js';
import { DEFAULT_MIN_NUMERIC_MASS } from '../../judge/aggregate.js';
import { addCountingOptions, collect, nonNegativeInt, numberIn, positiveInt, outDir, fileArg } from '../options.js';
import type { EvalFlags } from './eval-run.js';


export function evalCommand(): Command {
  return addCountingOptions(new Command('eval'))
    .description('sample answers from models to a suite of questions, judge every answer, and report misalignment rates')
    .option('-s, --suite <name|file>', 'built-in suite (core, extended, self-report, animals) or a suite YAML file; repeatable', collect)
    .option('-m, --model <id>', 'model to evaluate, e.g. openai:gpt-4.1-mini or compat:http://127.0.0.1:8000/v1#my-model; repeatable', collect)
    .option('-j, --judge <id>', 'judge model (the EM paper used openai:gpt-4o-2024-08-06)')
    .option('-n, --samples <n>', 'answers per question (default: the suite\'s samples_per_paraphrase x paraphrases)', positiveInt)
    .option('-o, --out <dir>', 'results directory: emlab.db, results.json, samples.jsonl, report.html (default runs/<run id>)', outDir)
    .option('--db <file>', 'results database to use instead of <out>/emlab.db (share one to reuse answers across runs)', fileArg)
    .option('-q, --question <id>', 'only this question; repeatable', collect)
    .option('--tag <tag>', 'only questions with this tag; repeatable', collect)
    .option('--target <word>', 'target word of choice questions (e.g. owl for the animals suite); repeatable', collect)
    .option('--temperature <t>', 'sampling temperature for every question (default: the question\'s own, else 1)', numberIn(0, 2))
    .option('--top-p <p>', 'nucleus sampling', numberIn(0, 1), DEFAULT_SAMPLING.topP)
    .option('--max-tokens <n>', 'longest answer in tokens', positiveInt, DEFAULT_SAMPLING.maxTokens)
    .option('--seed <n>', 'sample i is sent with seed n+i', nonNegativeInt, DEFAULT_SAMPLING.seed)
    .option('--concurrency <n>', 'requests in flight per model (lowered automatically on 429)', positiveInt, 8)
    .option('--judge-concurrency <n>', 'requests in flight to the judge', positiveInt, 8)
    .option('--timeout <seconds>', 'time limit of one request', positiveInt, 120)
    .option('--max-attempts <n>', 'tries per request before it is recorded as failed (retried on the next run)', positiveInt, 6)
    .addOption(new Option('--judge-method <method>', 'how the judge\'s score is read').choices(['auto', 'logprob', 'teacher_forced', 'sampled']).default('auto'))
    .option('--judge-samples <k>', 'judge answers sampled per judgment when the judge has no logprobs', positiveInt, 10)
    .option('--min-numeric-mass <p>', 'judge probability on numbers 0-100 below which a judgment is unreadable', numberIn(0, 1), DEFAULT_MIN_NUMERIC_MASS)
    .option('--batch', 'send answers and judgments through the Batch API at half price (openai: models, compat: servers with /files and /batches); results within 24 h; a re-run attaches to its batches')
    .option('--batch-poll <seconds>', 'longest wait between two looks at a batch', positiveInt, 60)
    .option('--dry-run', 'print what would be asked, and how many requests, then stop')
    .option('--quiet', 'no progress line and no table')
    .action(async (flags: EvalFlags) => {
      // The heavy modules (SDKs, SQLite, charts) load only when a command runs, so --help is instant.
      const { runEvalCommand } = await import('./eval-run.js');
      process.exitCode = await runEvalCommand(flags);
    });
}

