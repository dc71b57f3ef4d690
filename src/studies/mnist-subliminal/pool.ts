/**
 * Runs the study's jobs either in this thread or on a pool of worker threads (one job per worker
 * at a time; the models are independent, so two cores train two models at once). A free worker
 * takes the first queued job of the seed it ran last, else the first of a seed no other worker ran
 * last, else the first: each worker keeps its last seed's noise images (47 million floats, 0.4-0.5
 * CPU-s to draw; jobs.ts), so a seed's students run on one worker, which draws the noise once for
 * them (its teacher drew it once more), not once per worker. The study submits every teacher
 * first, and a finished teacher's students are queued after the worker has taken its next job, so
 * the teachers still run first; none waits while jobs are queued.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../organisms/module-worker.js';
import { runJob, type EpochListener, type EpochRecord, type JobOutcome, type MnistJob, type ModelRole } from './jobs.js';

export type WorkerReply =
  | { id: number; type: 'epoch'; role: ModelRole; replicate: number; record: EpochRecord; epochs: number }
  | { id: number; type: 'done'; outcome: JobOutcome }
  | { id: number; type: 'error'; message: string };

export interface JobRunner {
  run(job: MnistJob, onEpoch?: EpochListener): Promise<JobOutcome>;
  close(): Promise<void>;
}

/** Runs each job in this thread, one after another, yielding to the event loop between jobs. */
export class InlineRunner implements JobRunner {
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  run(job: MnistJob, onEpoch?: EpochListener): Promise<JobOutcome> {
    const next = this.chain.then(
      () =>
        new Promise<JobOutcome>((resolve, reject) => {
          setImmediate(() => {
            if (this.closed) return reject(new Error('mnist study: stopped'));
            try {
              resolve(runJob(job, onEpoch));
            } catch (err) {
              reject(err);
            }
          });
        }),
    );
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

interface Pending {
  id: number;
  job: MnistJob;
  onEpoch: EpochListener | undefined;
  resolve: (outcome: JobOutcome) => void;
  reject: (err: Error) => void;
}

/**
 * Which queued job (by its seed) a free worker runs next: the first of the seed it ran last (`own`),
 * else the first of a seed no other worker ran last, else the first (see the top of this file).
 */
export function nextJobIndex(queued: readonly number[], own: number | undefined, others: readonly number[]): number {
  const same = queued.indexOf(own ?? -1);
  if (same >= 0) return same;
  const free = queued.findIndex((replicate) => !others.includes(replicate));
  return free >= 0 ? free : 0;
}

export class WorkerPool implements JobRunner {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  /** The seed of each worker's last job (whose noise images it keeps). */
  private readonly lastReplicate = new Map<Worker, number>();
  private nextId = 1;
  private failure: Error | undefined;

  constructor(threads: number) {
    if (!Number.isSafeInteger(threads) || threads < 1) throw new Error(`mnist study: threads must be a positive integer, got ${threads}`);
    for (let i = 0; i < threads; i++) {
      const worker = startModuleWorker(import.meta.url, 'worker');
      worker.on('message', (reply: WorkerReply) => this.onReply(worker, reply));
      worker.on('error', (err) => this.fail(new Error(`mnist study worker failed: ${err.message}`)));
      worker.on('exit', (code) => {
        if (code !== 0 && this.failure === undefined) this.fail(new Error(`mnist study worker exited with code ${code}`));
      });
      this.all.push(worker);
      this.idle.push(worker);
    }
  }

  run(job: MnistJob, onEpoch?: EpochListener): Promise<JobOutcome> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<JobOutcome>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, onEpoch, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const pending = this.queue.splice(this.nextFor(worker), 1)[0] as Pending;
      this.running.set(worker, pending);
      this.lastReplicate.set(worker, pending.job.replicate);
      worker.postMessage({ id: pending.id, job: pending.job });
    }
  }

  private nextFor(worker: Worker): number {
    const others = [...this.lastReplicate].filter(([w]) => w !== worker).map(([, r]) => r);
    return nextJobIndex(this.queue.map((p) => p.job.replicate), this.lastReplicate.get(worker), others);
  }

  private onReply(worker: Worker, reply: WorkerReply): void {
    const pending = this.running.get(worker);
    if (pending === undefined || pending.id !== reply.id) return;
    if (reply.type === 'epoch') {
      pending.onEpoch?.(reply.role, reply.replicate, reply.record, reply.epochs);
      return;
    }
    this.running.delete(worker);
    this.idle.push(worker);
    if (reply.type === 'done') pending.resolve(reply.outcome);
    else pending.reject(new Error(reply.message));
    this.dispatch();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const pending of [...this.running.values(), ...this.queue]) pending.reject(err);
    this.running.clear();
    this.queue.length = 0;
  }

  async close(): Promise<void> {
    this.failure ??= new Error('mnist study: stopped');
    for (const pending of [...this.running.values(), ...this.queue]) pending.reject(this.failure);
    this.running.clear();
    this.queue.length = 0;
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}
