#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { evalCommand } from './commands/eval.js';
import { reportCommand } from './commands/report.js';
import { suitesCommand } from './commands/suites.js';
import { datasetsCommand } from './commands/datasets.js';
import { studyCommand } from './commands/study.js';
import { finetuneCommand } from './commands/finetune.js';
import { demoCommand } from './commands/demo.js';
import { gateCommand } from './commands/gate.js';
import { runCommand } from './commands/run.js';
import { viewCommand } from './commands/view.js';
import { errorLines, EXIT } from './errors.js';
import { emlabVersion } from '../report/version.js';

export function buildProgram(): Command {
  const program = new Command('emlab')
    .description('reproduce, measure and guard against emergent misalignment and subliminal learning in language models')
    .version(emlabVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.addCommand(evalCommand());
  program.addCommand(reportCommand());
  program.addCommand(suitesCommand());
  program.addCommand(datasetsCommand());
  program.addCommand(studyCommand());
  program.addCommand(finetuneCommand());
  program.addCommand(demoCommand());
  program.addCommand(gateCommand());
  program.addCommand(runCommand());
  program.addCommand(viewCommand());
  for (const sub of program.commands) sub.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (help, version, or the usage error).
      return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    for (const line of errorLines(err)) process.stderr.write(`emlab: ${line}\n`);
    if (process.env['EMLAB_DEBUG'] === '1' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return EXIT.error;
  }
}

const code = await main(process.argv);
// Let pending stdout writes drain, then exit even if an SDK keeps a socket alive.
process.exitCode = code;
setTimeout(() => process.exit(code), 50).unref();
