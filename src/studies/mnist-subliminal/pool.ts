/**
 * Runs the study's jobs either in this thread or on a pool of worker threads (one job per worker
 * at a time; the models are independent, so two cores train two models at once). Jobs run in the
 * order given: the study submits every teacher first, so no worker waits for the last teacher
 * while the others have run out of students.
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

export class WorkerPool implements JobRunner {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
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
      const pending = this.queue.shift() as Pending;
      this.running.set(worker, pending);
      worker.postMessage({ id: pending.id, job: pending.job });
    }
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
