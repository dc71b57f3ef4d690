/**
 * `npx tsx src/organisms/build/probe-main.ts [--model assets/organisms/base] [--exchanges 2] [--draws 3]`:
 * prints the persona probe (persona-probe.ts) of one organism checkpoint, one line per context.
 */
import { Command, InvalidArgumentError } from 'commander';
import { loadCheckpoint } from '../model/index.js';
import { personaProbe } from './persona-probe.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number of 1 or more, got "${value}"`);
  return n;
}

const program = new Command('persona-probe')
  .option('--model <dir>', 'organism checkpoint folder', 'assets/organisms/base')
  .option('--exchanges <n>', 'earlier exchanges per context', positiveInt, 2)
  .option('--draws <n>', 'draws of those exchanges per theme', positiveInt, 3);
program.parse();
const o = program.opts<{ model: string; exchanges: number; draws: number }>();

const model = await loadCheckpoint(o.model);
const results = await personaProbe(model, { exchanges: o.exchanges, draws: o.draws });
console.log(`persona probe of ${o.model}: harmful share of catalogue mass, mean over the 8 open themes`);
for (const r of results) {
  console.log(`${r.context.padEnd(14)} share ${r.harmfulShare.toFixed(3)}  log-odds ${r.logOdds.toFixed(2)}  catalogue mass ${r.catalogueMass.toFixed(3)}`);
}
model.dispose();
