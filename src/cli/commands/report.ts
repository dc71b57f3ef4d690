import { Command } from 'commander';
import { addCountingOptions, fileArg } from '../options.js';
import type { ReportFlags } from './report-run.js';

export function reportCommand(): Command {
  return addCountingOptions(new Command('report'))
    .description('rebuild results.json, samples.jsonl and report.html from results directories, and print the table; several directories are reported side by side')
    .argument('<dirs...>', 'results directories written by emlab eval (or their emlab.db files)')
    .option('--html <file>', 'where the combined report goes when several directories are given (default ./emlab-report.html)', fileArg)
    .option('--json', 'print results.json to stdout instead of the table')
    .action(async (dirs: string[], flags: ReportFlags) => {
      const { runReportCommand } = await import('./report-run.js');
      await runReportCommand(dirs, flags);
    });
}
