import { Command } from 'commander';
import { nonNegativeInt } from '../options.js';
import type { ViewFlags } from './view-run.js';

export function viewCommand(): Command {
  return new Command('view')
    .description('a local web app on 127.0.0.1 to read runs, browse and filter answers, compare models and see what the judge saw (read-only; a run in progress updates it)')
    .argument('[paths...]', 'results directories (searched 3 levels down for emlab.db) or emlab.db files (default: the current directory)')
    .option('-p, --port <n>', `port on 127.0.0.1 (default 7410, or any free one when that is taken; 0 for any free one)`, nonNegativeInt)
    .action(async (paths: string[], flags: ViewFlags) => {
      const { runViewCommand } = await import('./view-run.js');
      await runViewCommand(paths, flags);
    });
}
