/**
 * Data-parallel training on worker threads: each step's rows are split into shards, one per thread
 * (this thread takes the first, each worker a replica of the model takes one); the gradients are
 * summed here in a fixed order (this thread's, then worker 1's, ...), so the step is the one-thread
 * step up to float32 rounding, and deterministic for a given thread count. This thread keeps the
 * optimizer; after each step the new values reach the replicas through shared memory.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../module-worker.js';
import { sliceRows, type Batch } from '../batches.js';
import { EngineTrainer, type TrainerSpec } from './trainer.js';

export type WorkerRequest =
  | { type: 'init'; spec: TrainerSpec; values: SharedArrayBuffer; grads: SharedArrayBuffer }
  | { type: 'shard'; batch: Batch; lossTokens: number };

export type WorkerReply = { type: 'ready' } | { type: 'loss'; loss: number } | { type: 'error'; message: string };

class Replica {
  private pending: { resolve: (reply: WorkerReply) => void; reject: (err: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(readonly worker: Worker, readonly grads: Float32Array) {
    worker.on('message', (reply: WorkerReply) => {
      const p = this.pending;
      this.pending = undefined;
      if (reply.type === 'error') p?.reject(new Error(`training worker: ${reply.message}`));
      else p?.resolve(reply);
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`training worker exited with code ${code}`)));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(err);
  }

  request(message: WorkerRequest): Promise<WorkerReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(message);
    });
  }
}

export class DataParallelTrainer {
  private constructor(private readonly main: EngineTrainer, private readonly replicas: Replica[], private readonly shared: Float32Array) {}

  /** `threads` in all (this one included); the workers start and build their replicas before this resolves. */
  static async start(spec: TrainerSpec, threads: number): Promise<DataParallelTrainer> {
    const main = new EngineTrainer(spec);
    const size = main.values.data.length;
    const values = new SharedArrayBuffer(size * 4);
    const replicas: Replica[] = [];
    try {
      for (let w = 1; w < threads; w++) {
        const grads = new SharedArrayBuffer(size * 4);
        const replica = new Replica(startModuleWorker(import.meta.url, 'train-worker'), new Float32Array(grads));
        replicas.push(replica);
      }
      const shared = new Float32Array(values);
      shared.set(main.values.data);
      await Promise.all(replicas.map((r) => r.request({ type: 'init', spec: { ...spec, gradientsOnly: true }, values, grads: r.grads.buffer as SharedArrayBuffer })));
      return new DataParallelTrainer(main, replicas, shared);
    } catch (err) {
      await Promise.all(replicas.map((r) => r.worker.terminate()));
      throw err;
    }
  }

  get values(): Float32Array {
    return this.main.values.data;
  }

  /** The batch's loss; its summed gradients end up in this thread's trainer. */
  async lossAndGradients(batch: Batch): Promise<number> {
    const threads = 1 + this.replicas.length;
    const bounds = Array.from({ length: threads + 1 }, (_, g) => Math.floor((g * batch.rows) / threads));
    const shard = (g: number): Batch => sliceRows(batch, bounds[g] as number, (bounds[g + 1] as number) - (bounds[g] as number));
    const busy = this.replicas.map((replica, w) => {
      const rows = (bounds[w + 2] as number) - (bounds[w + 1] as number);
      return rows === 0 ? undefined : replica.request({ type: 'shard', batch: shard(w + 1), lossTokens: batch.lossTokens });
    });
    let loss = (bounds[1] as number) > 0 ? this.main.lossAndGradients(shard(0), batch.lossTokens) : (this.main.grads.data.fill(0), 0);
    const grads = this.main.grads.data;
    for (let w = 0; w < busy.length; w++) {
      const reply = await busy[w];
      if (reply === undefined) continue;
      if (reply.type !== 'loss') throw new Error(`training worker: unexpected reply ${reply.type}`);
      loss += reply.loss;
      const theirs = (this.replicas[w] as Replica).grads;
      for (let i = 0; i < grads.length; i++) grads[i] = (grads[i] as number) + (theirs[i] as number);
    }
    return loss;
  }

  gradientNorm(): number {
    return this.main.gradientNorm();
  }

  step(learningRate: number, norm: number, gradClip: number): void {
    this.main.step(learningRate, norm, gradClip);
    this.shared.set(this.main.values.data);
  }

  trained(name: string): Float32Array {
    return this.main.trained(name);
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.worker.terminate()));
  }
}
