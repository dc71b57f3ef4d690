/** Worker-thread entry of measure-pool.ts: one measurement at a time, models kept between them. */
import { parentPort } from 'node:worker_threads';
import { ModelCache, runMeasureJob, type MeasureJob } from './measure.js';

const port = parentPort;
if (port === null) throw new Error('measure-worker is a worker-thread entry; MeasurePool starts it');
const cache = new ModelCache();

port.on('message', (message: { id: number; job: MeasureJob }) => {
  runMeasureJob(message.job, cache).then(
    (answers) => port.postMessage({ id: message.id, answers }),
    (err: unknown) => port.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
