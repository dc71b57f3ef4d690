/**
 * Measurements on both cores: a pool of worker threads, each taking the next waiting measurement.
 * A measurement's answers depend only on its job (seeded streams per prompt and completion), so the
 * results are the same on any worker and in any order. With one worker it runs in this thread.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../organisms/module-worker.js';
import type { ReadAnswer } from './answers.js';
import { ModelCache, runMeasureJob, type MeasureJob } from './measure.js';

interface Waiting {
  job: MeasureJob;
  resolve: (answers: ReadAnswer[]) => void;
  reject: (err: Error) => void;
}

export class MeasurePool {
  private readonly queue: Waiting[] = [];
  private readonly idle: Worker[] = [];
  private readonly workers: Worker[] = [];
  private readonly running = new Map<Worker, Waiting>();
  private readonly local: ModelCache | null;
  private localChain: Promise<unknown> = Promise.resolve();
  private failure: Error | null = null;

  constructor(threads: number, private readonly signal?: AbortSignal) {
    this.local = threads <= 1 ? new ModelCache() : null;
    for (let t = 0; t < (threads <= 1 ? 0 : threads); t++) {
      const worker = startModuleWorker(import.meta.url, 'measure-worker');
      worker.on('message', (reply: { id: number; answers?: ReadAnswer[]; error?: string }) => {
        const waiting = this.running.get(worker);
        this.running.delete(worker);
        if (waiting !== undefined) {
          if (reply.error !== undefined) waiting.reject(new Error(reply.error));
          else waiting.resolve(reply.answers ?? []);
        }
        this.idle.push(worker);
        this.pump();
      });
      worker.on('error', (err) => this.fail(new Error(`measurement worker failed: ${err.message}`)));
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  measure(job: MeasureJob): Promise<ReadAnswer[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.signal?.aborted) return Promise.reject(this.signal.reason instanceof Error ? this.signal.reason : new Error('interrupted'));
    if (this.local !== null) {
      const run = this.localChain.then(() => runMeasureJob(job, this.local!, this.signal));
      this.localChain = run.catch(() => undefined);
      return run;
    }
    return new Promise<ReadAnswer[]>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      if (this.signal?.aborted) return this.fail(this.signal.reason instanceof Error ? this.signal.reason : new Error('interrupted'));
      const worker = this.idle.shift()!;
      const waiting = this.queue.shift()!;
      this.running.set(worker, waiting);
      worker.postMessage({ id: 0, job: waiting.job });
    }
  }

  private fail(err: Error): void {
    this.failure = err;
    for (const w of [...this.queue, ...this.running.values()]) w.reject(err);
    this.queue.length = 0;
    this.running.clear();
  }

  async close(): Promise<void> {
    this.local?.dispose();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
