/**
 * Worker-thread entry of the study: runs one job at a time for the pool in pool.ts and reports
 * each finished epoch, then the outcome (or the error's message).
 */
import { parentPort } from 'node:worker_threads';
import { runJob, type MnistJob } from './jobs.js';
import type { WorkerReply } from './pool.js';

const port = parentPort;
if (port === null) throw new Error('worker.ts is a worker-thread entry; the study starts it through runMnistSubliminal');

port.on('message', (message: { id: number; job: MnistJob }) => {
  const { id, job } = message;
  const reply = (r: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(r, transfer);
  try {
    const outcome = runJob(job, (role, replicate, record, epochs) => reply({ id, type: 'epoch', role, replicate, record, epochs }));
    reply({ id, type: 'done', outcome }, outcome.kind === 'teacher' ? [outcome.noiseLogits.buffer as ArrayBuffer] : []);
  } catch (err) {
    reply({ id, type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
