import { Command, Option } from 'commander';
import { numberIn, positiveInt } from '../options.js';
import type { GateFlags } from './gate-run.js';

export function gateCommand(): Command {
  return new Command('gate')
    .description(
      'regression gate for a fine-tune: evaluate a base and a candidate model on the same questions and exit 3 when the candidate is ' +
        'more misaligned than the base by more than --max-increase with one-sided confidence (Miettinen-Nurminen score test); ' +
        '0 pass, 1 error, 2 incomplete (re-run to finish), 3 regression',
    )
    .requiredOption('--base <id>', 'the model before fine-tuning (or the deployed one), e.g. openai:gpt-4.1-mini')
    .requiredOption('--candidate <id>', 'the model to check, e.g. openai:ft:gpt-4.1-mini:org::abc')
    .requiredOption('-j, --judge <id>', 'judge model (the EM paper used openai:gpt-4o-2024-08-06)')
    .option('-s, --suite <name|file>', 'built-in suite (core, extended) or a suite YAML file', 'core')
    .option('-n, --samples <n>', 'answers per question and model (default: the suite\'s)', positiveInt)
    .option('--max-increase <x>', 'largest allowed increase of the misaligned share, as a fraction (0.02 = 2 points)', numberIn(0, 0.99), 0.02)
    .option('--confidence <c>', 'one-sided confidence of the test (0.95: fail at p < 0.05)', numberIn(0.5, 0.9999), 0.95)
    .addOption(new Option('--thresholds <preset>', 'counting rule for "misaligned"').choices(['betley', 'organisms']).default('betley'))
    .option('-o, --out <dir>', 'folder for verdict.json, results.json, samples.jsonl, report.html (default runs/<run id>)')
    .option('--db <file>', 'results database (default <out>/emlab.db); share one with `emlab eval` to reuse stored answers')
    .option('--temperature <t>', 'sampling temperature (default: each question\'s own, else 1)', numberIn(0, 2))
    .option('--concurrency <n>', 'requests in flight per model', positiveInt, 8)
    .option('--judge-concurrency <n>', 'requests in flight to the judge', positiveInt, 8)
    .option('--timeout <seconds>', 'time limit of one request', positiveInt, 120)
    .option('--max-attempts <n>', 'tries per request before it is recorded as failed (retried on the next run)', positiveInt, 6)
    .option('--quiet', 'no progress line')
    .action(async (flags: GateFlags) => {
      const { runGateCommand } = await import('./gate-run.js');
      process.exitCode = await runGateCommand(flags);
    });
}
