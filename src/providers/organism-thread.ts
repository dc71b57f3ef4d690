/**
 * Worker-thread entry of organism-threads.ts: serves generation and scoring for organism folders,
 * one job at a time, in its own kernel arenas. A few models stay loaded (their inference sessions
 * merge an adapter once, and the judge scores thousands of replies); the least recently used one
 * beyond that is released, so memory does not grow with the number of models an eval asks.
 */
import { parentPort } from 'node:worker_threads';
import type { OrganismModel } from '../organisms/model/index.js';
import { KEPT_MODELS, type OrganismThreadJob, type OrganismThreadReply } from './organism-threads.js';

const port = parentPort;
if (port === null) throw new Error('organism-thread is a worker-thread entry; OrganismThreads starts it');

// Models kept loaded: KEPT_MODELS (the judge and the models being answered).
const models = new Map<string, Promise<OrganismModel>>();
const lib = import('../organisms/model/index.js').then(async (m) => {
  await m.ensureBackend();
  return m;
});

async function modelFor(dir: string): Promise<OrganismModel> {
  let model = models.get(dir);
  if (model !== undefined) {
    models.delete(dir);
  } else {
    model = lib.then((m) => m.loadCheckpoint(dir));
    model.catch(() => models.delete(dir));
  }
  models.set(dir, model);
  while (models.size > KEPT_MODELS) release(models.keys().next().value!);
  return model;
}

function release(dir: string): void {
  const model = models.get(dir);
  models.delete(dir);
  void model?.then((m) => m.dispose(), () => undefined);
}

async function serve(job: OrganismThreadJob): Promise<OrganismThreadReply> {
  let model: OrganismModel;
  try {
    model = await modelFor(job.dir);
  } catch (err) {
    return { id: job.id, ok: false, loading: true, message: err instanceof Error ? err.message : String(err) };
  }
  try {
    const m = await lib;
    if (job.op === 'generate') return { id: job.id, ok: true, results: await m.generate(model, job.requests) };
    return { id: job.id, ok: true, scores: await m.scoreReplies(model, job.messages, job.candidates) };
  } catch (err) {
    return { id: job.id, ok: false, loading: false, message: err instanceof Error ? err.message : String(err) };
  }
}

// The pool sends a worker its next job only after the reply, so jobs never overlap here.
port.on('message', (message: OrganismThreadJob | { op: 'release'; dir: string }) => {
  if (message.op === 'release') release(message.dir);
  else void serve(message).then((reply) => port.postMessage(reply));
});
