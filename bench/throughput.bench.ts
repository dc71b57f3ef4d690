/**
 * Throughput at scale (issue 15, point 4): `emlab eval` taking 8,000 answers with 256 requests in
 * flight from a local server that answers each after 500 ms. The floor is 8,000 / 256 x 0.5 s =
 * 15.6 s; a plain fetch client doing the same requests and keeping nothing is the other arm, so the
 * ratio is what emlab adds (storing every answer, hashing, scheduling) on this machine.
 * emlab runs twice: with its node:http transport (src/providers/http-fetch.ts, chat-http.ts) and
 * with Node's global fetch, which it used before.
 * CPU per answer is the emlab arm's CPU time / 8,000; peak RSS is the CLI process's.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpenAIServer } from '../test/support/openai-server.js';
import { defineBenchmark } from './harness/benchmark.js';
import { builtCli } from './harness/built-cli.js';

const CLIENT = fileURLToPath(new URL('./throughput-client.mjs', import.meta.url));

export default defineBenchmark({
  name: 'throughput',
  description: '8,000 answers at 256 in flight, server answers after 500 ms (floor 15.6 s)',
  unit: 'answers',
  repetitions: 3,
  async setup(ctx) {
    const [answers, inFlight, delayMs] = ctx.quick ? [1_000, 256, 500] : [8_000, 256, 500];
    // Idle connections kept a minute, as production servers do: under load, Node's default of 5 s
    // closed sockets the global fetch was about to reuse, and 12 such failures in a row stop a run.
    const server = await startOpenAIServer({ respond: () => ({ choices: [{ text: 'Owl' }], usage: { inputTokens: 12, outputTokens: 1 }, delayMs }), keepAliveTimeoutMs: 60_000 });
    const cli = builtCli(ctx.root);
    const out = join(ctx.tmpDir, 'run');
    // A fresh output folder each time: a second run would find every answer stored.
    const evalCommand = `rm -rf '${out}' && exec '${process.execPath}' '${cli}' eval --suite animals --target owl --samples ${answers} --concurrency ${inFlight} --model 'compat:${server.baseURL}#fast' --out '${out}' --quiet`;
    const client = `plain fetch client (floor ${((answers / inFlight) * delayMs / 1000).toFixed(1)} s)`;
    const viaHttp = 'emlab eval (node:http transport)';
    const viaFetch = 'emlab eval (global fetch, EMLAB_HTTP_CLIENT=fetch)';
    return {
      arms: [
        { name: client, units: answers, child: { command: process.execPath, args: [CLIENT, server.baseURL, String(answers), String(inFlight)] } },
        { name: viaHttp, units: answers, child: { command: '/bin/sh', args: ['-c', evalCommand] } },
        { name: viaFetch, units: answers, child: { command: '/bin/sh', args: ['-c', evalCommand], env: { EMLAB_HTTP_CLIENT: 'fetch' } } },
      ],
      ratios: [[viaHttp, client], [viaFetch, client], [viaHttp, viaFetch]],
      teardown: () => server.close(),
    };
  },
});
