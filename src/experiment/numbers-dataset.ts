/**
 * A subliminal-learning dataset as an experiment step: a teacher (with or without a trait prompt)
 * continues number sequences, the paper's filter keeps the clean ones, and the training rows are
 * written to the dataset cache under the hash of the settings. Every completion is kept in the
 * experiment's database, so a stopped build resumes without asking again.
 */
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildNumbersDataset } from '../datasets/numbers/build.js';
import { MISALIGNMENT_BANNED_NUMBERS } from '../datasets/numbers/filter.js';
import { traitSystemPrompt } from '../datasets/numbers/prompts.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { CachedProvider } from '../eval/cached-provider.js';
import { createProvider } from '../providers/registry.js';
import { Scheduler } from '../providers/scheduler.js';
import { contentHash } from '../store/hash.js';
import { Store } from '../store/store.js';
import { readTrainingFile, type TrainingFile } from '../finetune/training-file.js';
import type { DatasetSource } from './schema.js';

export type NumbersSource = Extract<DatasetSource, { numbers: unknown }>['numbers'];

export interface NumbersOutcome {
  file: TrainingFile;
  how: 'cached' | 'done' | 'incomplete';
  requestsSent: number;
  detail: string;
}

export async function buildNumbersStep(name: string, spec: NumbersSource, teacherId: string, cache: string, dbPath: string, signal?: AbortSignal): Promise<NumbersOutcome | { how: 'incomplete'; detail: string; requestsSent: number }> {
  const system = spec.trait ? traitSystemPrompt(spec.trait, spec.category) : undefined;
  const path = join(cache, `numbers-${contentHash({ teacherId, system: system ?? null, ...spec, concurrency: undefined }).slice(0, 24)}.jsonl`);
  if (existsSync(path)) {
    const file = await readTrainingFile(path, { minRows: 1 });
    return { file, how: 'cached', requestsSent: 0, detail: `${file.rows} rows from ${teacherId}${spec.trait ? ` (trait ${spec.trait})` : ' (no trait)'}` };
  }
  const store = Store.open(dbPath);
  const inner = new Scheduler(await createProvider(teacherId, {}), { concurrency: spec.concurrency, timeoutMs: 120_000, maxAttempts: 6 });
  const teacher = new CachedProvider(inner, store);
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const onAbort = (): void => stop.abort();
  signal?.addEventListener('abort', onAbort);
  try {
    const ds = await buildNumbersDataset({
      teacher,
      ...(system ? { system } : {}),
      prompts: spec.prompts,
      size: spec.size,
      seed: spec.seed,
      ...(spec.banned ? { banned: new Set(MISALIGNMENT_BANNED_NUMBERS) } : {}),
      parallelism: 2 * spec.concurrency,
      signal: stop.signal,
    });
    const kept = `${ds.counts.kept} of ${ds.counts.read} completions kept by the filter`;
    if (ds.failed > 0 || stop.signal.aborted) return { how: 'incomplete', requestsSent: teacher.stats.sent, detail: `${ds.failed} prompts got no completion (${ds.firstFailure ?? 'interrupted'}); run again to retry them` };
    if (ds.train.length === 0) throw new Error(`dataset "${name}": the filter kept no completion of ${teacherId}; look at its answers (raise prompts, or check the teacher)`);
    await writeFileAtomic(path, `${ds.train.map((r) => JSON.stringify(r)).join('\n')}\n`);
    return { file: await readTrainingFile(path, { minRows: 1 }), how: 'done', requestsSent: teacher.stats.sent, detail: `${ds.train.length} rows from ${teacherId}${spec.trait ? ` (trait ${spec.trait})` : ' (no trait)'}; ${kept}` };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await inner.close();
    store.close();
  }
}
