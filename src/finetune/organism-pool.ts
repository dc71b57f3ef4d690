/**
 * Trains several organism adapters, on worker threads when there is more than one to train: the
 * organisms' training runs on one core per thread (tfjs-backend-wasm has no threads under Node), so
 * two workers use two cores. Jobs whose adapter is already there are answered here without starting
 * a worker or the TensorFlow.js backend.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../organisms/module-worker.js';
import { findTunedAdapter, fineTuneOrganism, organismTuneKey, type OrganismTuneJob, type OrganismTuneOutcome, type TrainingProgress } from './organism-trainer.js';

export type OrganismWorkerReply =
  | { id: number; type: 'progress'; progress: TrainingProgress }
  | { id: number; type: 'done'; outcome: OrganismTuneOutcome }
  | { id: number; type: 'error'; message: string };

export interface OrganismPoolOptions {
  /** Jobs trained at once (worker threads); 1 trains in this thread. */
  workers: number;
  /** A job starts training (it was not found already trained). */
  onStart?: (index: number) => void;
  onProgress?: (index: number, progress: TrainingProgress) => void;
  onDone?: (index: number, outcome: OrganismTuneOutcome) => void;
  signal?: AbortSignal;
}

/** Outcomes in the jobs' order. The first failure stops the rest and is thrown. */
export async function runOrganismTunes(jobs: readonly OrganismTuneJob[], options: OrganismPoolOptions): Promise<OrganismTuneOutcome[]> {
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new Error(`organism training: workers must be a positive integer, got ${options.workers}`);
  const outcomes: (OrganismTuneOutcome | undefined)[] = jobs.map(() => undefined);
  const todo: number[] = [];
  jobs.forEach((job, i) => {
    const found = findTunedAdapter(job.outDir, organismTuneKey(job));
    if (found) {
      outcomes[i] = found;
      options.onDone?.(i, found);
    } else {
      todo.push(i);
    }
  });
  const threads = Math.min(options.workers, todo.length);
  if (threads === 1) {
    for (const i of todo) {
      options.signal?.throwIfAborted();
      options.onStart?.(i);
      const outcome = await fineTuneOrganism(jobs[i]!, {
        onProgress: (p) => options.onProgress?.(i, p),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      outcomes[i] = outcome;
      options.onDone?.(i, outcome);
    }
  } else if (threads > 1) {
    await runOnWorkers(jobs, todo, threads, outcomes, options);
  }
  return outcomes.map((o, i) => {
    if (o === undefined) throw new Error(`organism training: job ${i} has no outcome`);
    return o;
  });
}

function runOnWorkers(jobs: readonly OrganismTuneJob[], todo: number[], threads: number, outcomes: (OrganismTuneOutcome | undefined)[], options: OrganismPoolOptions): Promise<void> {
  return new Promise<void>((resolvePool, rejectPool) => {
    const queue = [...todo];
    const workers: Worker[] = [];
    let remaining = todo.length;
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      void Promise.all(workers.map((w) => w.terminate())).finally(() => (err ? rejectPool(err) : resolvePool()));
    };
    const onAbort = (): void => finish(options.signal?.reason instanceof Error ? options.signal.reason : new Error('organism training: interrupted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) return onAbort();

    const next = (worker: Worker): void => {
      const index = queue.shift();
      if (index === undefined) return;
      options.onStart?.(index);
      worker.postMessage({ id: index, job: jobs[index] });
    };
    for (let t = 0; t < threads; t++) {
      const worker = startWorker();
      workers.push(worker);
      worker.on('message', (reply: OrganismWorkerReply) => {
        if (settled) return;
        if (reply.type === 'progress') return options.onProgress?.(reply.id, reply.progress);
        if (reply.type === 'error') return finish(new Error(reply.message));
        outcomes[reply.id] = reply.outcome;
        options.onDone?.(reply.id, reply.outcome);
        if (--remaining === 0) return finish();
        next(worker);
      });
      worker.on('error', (err) => finish(new Error(`organism training worker failed: ${err.message}`)));
      worker.on('exit', (code) => {
        if (code !== 0) finish(new Error(`organism training worker exited with code ${code}`));
      });
      next(worker);
    }
  });
}

function startWorker(): Worker {
  return startModuleWorker(import.meta.url, 'organism-worker');
}
