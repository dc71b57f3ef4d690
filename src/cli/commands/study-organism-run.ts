import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { formatTable, writeResults } from '../../studies/organism-subliminal/index.js';
import { resolveOrganismDir } from '../../providers/organism.js';
import { EXIT } from '../errors.js';
import { ProgressLine } from '../progress.js';
import { DEFAULT_SETTINGS, QUICK_SETTINGS, runOrganismStudy } from './study-organism.js';
import type { OrganismStudyFlags } from './study.js';

export async function runOrganismStudyCommand(flags: OrganismStudyFlags): Promise<number> {
  const stop = new AbortController();
  const onSigint = (): void => stop.abort(new Error('interrupted'));
  process.on('SIGINT', onSigint);
  const out = resolve(flags.out);
  const count = flags.seeds ?? (flags.quick ? 2 : 4);
  const settings = {
    ...(flags.quick ? QUICK_SETTINGS : DEFAULT_SETTINGS),
    seeds: Array.from({ length: count }, (_, i) => i + 1),
    workers: flags.workers ?? Math.min(4, availableParallelism()),
  };
  const started = performance.now();
  const progress = new ProgressLine({ label: 'steps' });
  try {
    const results = await runOrganismStudy(settings, { baseDir: resolveOrganismDir('base'), baseBDir: resolveOrganismDir('base-b'), adaptersDir: join(out, 'adapters') }, {
      quick: flags.quick === true,
      signal: stop.signal,
      onProgress: (p) => progress.update({ total: p.total, done: p.done, failed: 0, elapsedMs: performance.now() - started, extra: p.phase }),
    });
    progress.finish();
    const file = writeResults(out, results);
    process.stdout.write(`${formatTable(results)}\n`);
    if (flags.quick) process.stdout.write('(--quick: a test of the pipeline with tiny data; run without it to measure)\n');
    process.stderr.write(`wrote ${file}\n`);
    return EXIT.ok;
  } catch (err) {
    if (stop.signal.aborted) return EXIT.interrupted;
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
