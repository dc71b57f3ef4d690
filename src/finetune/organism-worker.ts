/** Worker-thread entry of organism-pool.ts: trains one adapter at a time and reports its steps. */
import { parentPort } from 'node:worker_threads';
import { fineTuneOrganism, type OrganismTuneJob } from './organism-trainer.js';
import type { OrganismWorkerReply } from './organism-pool.js';

const port = parentPort;
if (port === null) throw new Error('organism-worker is a worker-thread entry; runOrganismTunes starts it');

// Jobs arrive one at a time (the pool sends the next after a reply), so they never overlap here.
port.on('message', (message: { id: number; job: OrganismTuneJob }) => {
  const { id, job } = message;
  const reply = (r: OrganismWorkerReply): void => port.postMessage(r);
  fineTuneOrganism(job, { onProgress: (progress) => reply({ id, type: 'progress', progress }) }).then(
    (outcome) => reply({ id, type: 'done', outcome }),
    (err: unknown) => reply({ id, type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});
