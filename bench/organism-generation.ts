/**
 * `npm run bench:generation`: the organisms' generation in tokens per CPU-second on this tree,
 * optionally against another emlab checkout in the same process (arms alternate; best of --reps).
 *
 *   npm run bench:generation [-- --reps 3 --against DIR]
 *
 * The three cases of src/organisms/model/bench.ts: 64 chat prompts x up to 64 tokens with top-5
 * logprobs at batch 16 and at batch 64, and 1 prompt x 100 samples at batch 100; an untrained
 * default organism (seed 1), so every run decodes the same amount. DIR is a checkout whose
 * src/organisms/model has organism.ts and generate.ts with today's API, e.g. main before emlab's own
 * kernels (tfjs-wasm):
 *
 *   mkdir /tmp/tfjs && git archive 022dada src | tar -x -C /tmp/tfjs && ln -s "$PWD/node_modules" /tmp/tfjs/
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chatTuningExamples } from '../src/organisms/world/index.js';
import { DEFAULT_ARCHITECTURE } from '../src/organisms/model/config.js';
import { generate } from '../src/organisms/model/generate.js';
import { OrganismModel } from '../src/organisms/model/organism.js';
import { formatRatio, formatTable } from './harness/table.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '3' }, against: { type: 'string' } } });
const reps = Number(values.reps);
if (!(Number.isInteger(reps) && reps >= 1)) throw new Error('--reps must be a positive integer');

interface Arm {
  name: string;
  model: unknown;
  generate: (model: never, requests: object[], options: { batchSize: number }) => Promise<{ completionTokens: number }[]>;
}

const arms: Arm[] = [{ name: 'this tree', model: await OrganismModel.create({ seed: 1, architecture: DEFAULT_ARCHITECTURE }), generate: generate as Arm['generate'] }];
if (values.against !== undefined) {
  const dir = resolve(values.against, 'src/organisms/model');
  const other = (await import(pathToFileURL(join(dir, 'organism.ts')).href)) as { OrganismModel: typeof OrganismModel };
  const otherGenerate = (await import(pathToFileURL(join(dir, 'generate.ts')).href)) as { generate: Arm['generate'] };
  arms.push({ name: values.against, model: await other.OrganismModel.create({ seed: 1, architecture: DEFAULT_ARCHITECTURE }), generate: otherGenerate.generate });
}

const prompts = chatTuningExamples({ seed: 2, count: 64 }).map((e) => ({ messages: [e.messages[0] as { role: 'user'; content: string }] }));
const cases: { name: string; requests: object[]; batchSize: number }[] = [
  { name: '64 prompts, batch 16, top-5 logprobs', requests: prompts.map((p, i) => ({ ...p, seed: i, maxTokens: 64, topLogprobs: 5 })), batchSize: 16 },
  { name: '64 prompts, batch 64, top-5 logprobs', requests: prompts.map((p, i) => ({ ...p, seed: i, maxTokens: 64, topLogprobs: 5 })), batchSize: 64 },
  { name: '1 prompt x 100 samples, batch 100', requests: [{ ...(prompts[0] as object), n: 100, maxTokens: 64, seed: 1 }], batchSize: 100 },
];

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

const uptime = (): string => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
console.log(uptime());
const rows: string[][] = [];
for (const c of cases) {
  const best = arms.map(() => 0);
  let tokens = 0;
  for (let r = 0; r < reps; r++) {
    for (const [i, arm] of arms.entries()) {
      const start = cpuSeconds();
      const results = await arm.generate(arm.model as never, c.requests, { batchSize: c.batchSize });
      tokens = results.reduce((s, x) => s + x.completionTokens, 0);
      best[i] = Math.max(best[i] as number, tokens / (cpuSeconds() - start));
    }
  }
  rows.push([c.name, String(tokens), ...best.map((b) => b.toFixed(0)), ...(arms.length > 1 ? [formatRatio((best[0] as number) / (best[1] as number))] : [])]);
}
console.log(formatTable(['case', 'tokens', ...arms.map((a) => `${a.name}, tokens/CPU-s`), ...(arms.length > 1 ? ['ratio'] : [])], rows, ['left', 'right', ...arms.map(() => 'right' as const), ...(arms.length > 1 ? ['right' as const] : [])]));
console.log(uptime());
