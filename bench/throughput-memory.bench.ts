/**
 * Memory at scale (issue 15, point 4): `emlab eval` taking 10,000 and 100,000 answers at 256 in
 * flight from a local server that answers at once, report files included. The report reads the
 * store a page at a time and keeps only the numbers of each answer (src/cli/run-outputs.ts), so
 * the CLI's peak RSS should barely move between the two sizes; before, every answer was loaded
 * whole and 100,000 took 1.31 GB. Look at the peak RSS column; wall and CPU per answer are there too.
 */
import { join } from 'node:path';
import { startOpenAIServer } from '../test/support/openai-server.js';
import { defineBenchmark } from './harness/benchmark.js';
import { builtCli } from './harness/built-cli.js';

export default defineBenchmark({
  name: 'throughput-memory',
  description: 'peak RSS of emlab eval at 10,000 and 100,000 answers (256 in flight, server answers at once)',
  unit: 'answers',
  repetitions: 1,
  async setup(ctx) {
    const sizes = ctx.quick ? [1_000, 10_000] : [10_000, 100_000];
    const server = await startOpenAIServer({ respond: () => ({ choices: [{ text: 'Owl' }], usage: { inputTokens: 12, outputTokens: 1 } }), keepAliveTimeoutMs: 60_000 });
    const cli = builtCli(ctx.root);
    const arms = sizes.map((answers) => {
      const out = join(ctx.tmpDir, `run-${answers}`);
      // A fresh output folder each time: a second run would find every answer stored.
      const command = `rm -rf '${out}' && exec '${process.execPath}' '${cli}' eval --suite animals --target owl --samples ${answers} --concurrency 256 --model 'compat:${server.baseURL}#fast' --out '${out}' --quiet`;
      return { name: `emlab eval, ${answers.toLocaleString('en')} answers`, units: answers, child: { command: '/bin/sh', args: ['-c', command] } };
    });
    return { arms, ratios: [[arms[1]!.name, arms[0]!.name]], teardown: () => server.close() };
  },
});
