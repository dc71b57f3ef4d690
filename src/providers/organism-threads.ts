/**
 * A pool of worker threads that run organism generation and scoring, so an eval's answers and
 * judgments use every core while this thread keeps the store and the plan. Each worker has its own
 * kernel arenas and loads the models it is asked about. Generation is per request: the same request
 * and seed give the same text however requests are batched and whichever worker serves them
 * (src/organisms/model/README.md), so results equal the one-thread path's.
 *
 * Pools are shared by thread count and counted by the providers that use them: when the last one
 * closes, the workers end and their memory goes back (the demo's two evals do not hold both).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../organisms/module-worker.js';
import type { ChatTurn, GenerationRequest, GenerationResult } from '../organisms/model/index.js';

type GenerateJob = { dir: string; op: 'generate'; requests: GenerationRequest[] };
type ScoreJob = { dir: string; op: 'score'; messages: ChatTurn[]; candidates: string[] };
export type OrganismThreadJob = (GenerateJob | ScoreJob) & { id: number };

export type OrganismThreadReply =
  | { id: number; ok: true; results: GenerationResult[] }
  | { id: number; ok: true; scores: number[] }
  | { id: number; ok: false; loading: boolean; message: string };

/** A job that failed in a worker: `loading` when its checkpoint could not be read. */
export class OrganismThreadError extends Error {
  constructor(
    message: string,
    readonly loading: boolean,
  ) {
    super(message);
  }
}

interface Queued {
  job: OrganismThreadJob;
  resolve: (reply: OrganismThreadReply & { ok: true }) => void;
  reject: (err: Error) => void;
  /** Times a worker took a later job instead (for a model it had loaded). */
  passed: number;
}

/**
 * Models a worker keeps loaded (organism-thread.ts evicts the least recently used beyond this): the
 * judge and the few models an eval answers at once. With 3 the quick demo's workers loaded the judge
 * 5-6 times and 33-35 models in all; with 5, 18-19 (the floor is 18: 9 models on 2 workers), for
 * ~40 MB more at the peak of the evaluation.
 */
export const KEPT_MODELS = 5;
/** Queued jobs a free worker looks through for one of its loaded models. */
const AFFINITY_WINDOW = 16;
/** A job passed over this many times is taken next, whatever its model. */
const MAX_PASSED = 4;

/** Worker threads used when a provider does not say: one per core, at most two (the demo's machine). */
export function defaultOrganismThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

export class OrganismThreads {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Queued>();
  private readonly queue: Queued[] = [];
  /** Workers started and not yet failed or ended. */
  private readonly live = new Set<Worker>();
  /** The models each worker has loaded, least recently used first (as organism-thread.ts keeps them). */
  private readonly loaded = new Map<Worker, string[]>();
  private nextId = 0;
  private users = 0;

  constructor(readonly size: number) {}

  acquire(): void {
    this.users++;
  }

  /** Drops `dir`'s model in every worker; the last user's release ends the workers. */
  release(dir: string): void {
    for (const w of [...this.idle, ...this.busy.keys()]) w.postMessage({ op: 'release', dir });
    for (const [w, dirs] of this.loaded) this.loaded.set(w, dirs.filter((d) => d !== dir));
    this.users = Math.max(0, this.users - 1);
    this.endIfUnused();
  }

  run(body: GenerateJob): Promise<GenerationResult[]>;
  run(body: ScoreJob): Promise<number[]>;
  run(body: GenerateJob | ScoreJob): Promise<GenerationResult[] | number[]> {
    return new Promise((resolve, reject) => {
      const job: OrganismThreadJob = { ...body, id: this.nextId++ };
      this.queue.push({ job, resolve: (r) => resolve('results' in r ? r.results : r.scores), reject, passed: 0 });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.live.size < this.size ? this.start() : undefined);
      if (worker === undefined) return;
      const item = this.queue.splice(this.pick(worker), 1)[0]!;
      const loaded = (this.loaded.get(worker) ?? []).filter((dir) => dir !== item.job.dir);
      loaded.push(item.job.dir);
      this.loaded.set(worker, loaded.slice(-KEPT_MODELS));
      this.busy.set(worker, item);
      // A worker with a job keeps the process alive until it answers; an idle one does not.
      worker.ref();
      worker.postMessage(item.job);
    }
  }

  /**
   * The queued job a free worker takes: the first of the next few whose model it has loaded (an
   * eval asks its models in turn, and a worker that keeps only its last few models would load one,
   * merge its adapter and build its session again for nearly every batch), else the oldest. A job
   * passed over MAX_PASSED times goes next, so none waits for long.
   */
  private pick(worker: Worker): number {
    const head = this.queue[0]!;
    if (head.passed >= MAX_PASSED) return 0;
    const loaded = this.loaded.get(worker) ?? [];
    const window = Math.min(this.queue.length, AFFINITY_WINDOW);
    for (let i = 0; i < window; i++) {
      if (!loaded.includes(this.queue[i]!.job.dir)) continue;
      for (let j = 0; j < i; j++) this.queue[j]!.passed++;
      return i;
    }
    return 0;
  }

  private start(): Worker {
    const worker = startModuleWorker(import.meta.url, 'organism-thread');
    this.live.add(worker);
    worker.on('message', (reply: OrganismThreadReply) => {
      const item = this.busy.get(worker);
      this.busy.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if (item !== undefined) {
        if (reply.ok) item.resolve(reply);
        else item.reject(new OrganismThreadError(reply.message, reply.loading));
      }
      this.dispatch();
      this.endIfUnused();
    });
    worker.on('error', (err) => this.fail(worker, new Error(`organism worker thread failed: ${err.message}`)));
    worker.on('exit', (code) => {
      if (code !== 0) this.fail(worker, new Error(`organism worker thread exited with code ${code}`));
    });
    return worker;
  }

  private fail(worker: Worker, err: Error): void {
    // A failing worker reports an error and then its exit: the first one counts.
    if (!this.live.delete(worker)) return;
    this.loaded.delete(worker);
    const item = this.busy.get(worker);
    this.busy.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    item?.reject(err);
    this.dispatch();
  }

  private endIfUnused(): void {
    if (this.users > 0 || this.busy.size > 0 || this.queue.length > 0) return;
    for (const w of this.idle.splice(0)) {
      this.live.delete(w);
      this.loaded.delete(w);
      w.removeAllListeners('exit');
      void w.terminate();
    }
  }
}

const pools = new Map<number, OrganismThreads>();

/** The shared pool of `threads` workers. */
export function organismThreads(threads: number): OrganismThreads {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`organism threads must be a positive integer, got ${threads}`);
  let pool = pools.get(threads);
  if (pool === undefined) pools.set(threads, (pool = new OrganismThreads(threads)));
  return pool;
}
