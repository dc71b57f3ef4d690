import { resolve } from 'node:path';
import { formatMnistTable, runMnistSubliminal, writeMnistResults, type MnistStudyConfig } from '../../studies/mnist-subliminal/index.js';
import { ProgressLine } from '../progress.js';
import { EXIT } from '../errors.js';
import type { MnistFlags } from './study.js';

/** Small enough to finish in about a minute on two cores; reported as not the paper's settings. */
const QUICK: Partial<MnistStudyConfig> = { trainExamples: 20_000, noiseExamples: 30_000, testExamples: 10_000, teacherEpochs: 3, studentEpochs: 3 };

export async function runMnistCommand(flags: MnistFlags): Promise<number> {
  const stop = new AbortController();
  const onSigint = (): void => stop.abort(new Error('interrupted'));
  process.on('SIGINT', onSigint);
  const progress = new ProgressLine({ label: 'models' });
  const started = performance.now();
  try {
    const results = await runMnistSubliminal({
      ...(flags.quick ? { seeds: flags.seeds ?? 1, config: QUICK } : flags.seeds !== undefined ? { seeds: flags.seeds } : {}),
      seed: flags.seed,
      ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
      signal: stop.signal,
      onProgress: (e) => {
        const extra = e.type === 'epoch' ? `${e.role} seed ${e.seed} epoch ${e.epoch}/${e.epochs} loss ${e.loss.toFixed(3)}` : `${e.role} seed ${e.seed}: accuracy ${e.accuracy.toFixed(3)}`;
        progress.update({ total: e.modelsTotal, done: e.modelsDone, failed: 0, elapsedMs: performance.now() - started, extra });
      },
    });
    progress.finish();
    const file = writeMnistResults(resolve(flags.out), results);
    process.stdout.write(`${formatMnistTable(results)}\n`);
    if (flags.quick) process.stdout.write('(--quick: fewer digits, noise images and epochs than the paper; run without it for the replication)\n');
    process.stderr.write(`wrote ${file}\n`);
    return EXIT.ok;
  } catch (err) {
    if (stop.signal.aborted) return EXIT.interrupted;
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
