import { join, resolve } from 'node:path';
import { setMaxListeners } from 'node:events';
import { createProvider } from '../../providers/registry.js';
import { Scheduler } from '../../providers/scheduler.js';
import { Store } from '../../store/store.js';
import { CachedProvider } from '../../eval/cached-provider.js';
import { MISALIGNMENT_BANNED_NUMBERS } from '../../datasets/numbers/filter.js';
import { filterNumbersFile, formatCounts } from '../../datasets/numbers/filter-file.js';
import { writeFileAtomic } from '../../store/atomic-file.js';
import { buildNumbersDataset } from '../../datasets/numbers/build.js';
import { traitSystemPrompt } from '../../datasets/numbers/prompts.js';
import { ProgressLine } from '../progress.js';
import { EXIT, oneLine } from '../errors.js';
import type { NumbersFlags } from './datasets.js';

const bannedSet = (b: 'misalignment' | undefined): ReadonlySet<number> | undefined => (b === 'misalignment' ? new Set(MISALIGNMENT_BANNED_NUMBERS) : undefined);

export async function runFilterNumbersCommand(flags: { in: string; out: string; banned?: 'misalignment' }): Promise<void> {
  const banned = bannedSet(flags.banned);
  const counts = await filterNumbersFile(flags.in, flags.out, banned ? { banned } : {});
  process.stdout.write(`${formatCounts(counts)}\n`);
}

const jsonl = (rows: unknown[]): string => (rows.length === 0 ? '' : `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);

export async function runNumbersCommand(flags: NumbersFlags): Promise<number> {
  const out = resolve(flags.out);
  const inner = new Scheduler(await createProvider(flags.teacher, { timeoutMs: flags.timeout * 1000 }), { concurrency: flags.concurrency, timeoutMs: flags.timeout * 1000, maxAttempts: flags.maxAttempts });
  // A missing key fails here, before the output folder and its database are created.
  inner.checkCredentials();
  const store = Store.open(join(out, 'emlab.db'));
  const teacher = new CachedProvider(inner, store);
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const onSigint = (): void => stop.abort();
  process.on('SIGINT', onSigint);
  const progress = new ProgressLine({ label: 'completions' });
  const started = performance.now();
  try {
    const system = flags.trait ? traitSystemPrompt(flags.trait, flags.category) : undefined;
    const banned = bannedSet(flags.banned);
    const ds = await buildNumbersDataset({
      teacher,
      ...(system ? { system } : {}),
      prompts: flags.prompts,
      size: flags.size,
      seed: flags.seed,
      ...(banned ? { banned } : {}),
      parallelism: 2 * flags.concurrency,
      onProgress: (done, failed, total) => progress.update({ total, done, failed, elapsedMs: performance.now() - started }),
      signal: stop.signal,
    });
    progress.finish();
    await writeFileAtomic(join(out, 'raw.jsonl'), jsonl(ds.raw));
    await writeFileAtomic(join(out, 'filtered.jsonl'), jsonl(ds.kept));
    await writeFileAtomic(join(out, 'train.jsonl'), jsonl(ds.train));
    const summary = { teacher: flags.teacher, trait: flags.trait ?? null, category: flags.category, systemPrompt: system ?? null, prompts: flags.prompts, seed: flags.seed, banned: flags.banned ?? null, failed: ds.failed, filter: ds.counts, trainRows: ds.train.length, requestedSize: flags.size };
    await writeFileAtomic(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(`${formatCounts(ds.counts)}\ntrain.jsonl: ${ds.train.length} rows${ds.train.length < flags.size ? ` (fewer than --size ${flags.size}: only ${ds.kept.length} kept)` : ''}\n`);
    process.stderr.write(`${teacher.stats.sent} requests sent, ${teacher.stats.hits} answers from ${join(out, 'emlab.db')}; wrote raw.jsonl, filtered.jsonl, train.jsonl, summary.json in ${out}\n`);
    if (ds.failed > 0) {
      process.stderr.write(`${ds.failed} prompt(s) got no completion this time (first: ${oneLine(ds.firstFailure)}); run the same command again to retry them\n`);
      return EXIT.incomplete;
    }
    return stop.signal.aborted ? EXIT.interrupted : EXIT.ok;
  } finally {
    process.off('SIGINT', onSigint);
    await inner.close();
    store.close();
  }
}
