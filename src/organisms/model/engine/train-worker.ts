/**
 * Worker-thread entry of data-parallel training (parallel.ts): holds a gradients-only replica of
 * the trainer; for each shard it takes the current values from shared memory, runs the shard and
 * leaves its gradients in shared memory.
 */
import { parentPort } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './parallel.js';
import { EngineTrainer } from './trainer.js';

const port = parentPort;
if (port === null) throw new Error('train-worker.ts is a worker-thread entry; DataParallelTrainer starts it');

let trainer: EngineTrainer | undefined;
let values: Float32Array | undefined;
let grads: Float32Array | undefined;

port.on('message', (message: WorkerRequest) => {
  const reply = (r: WorkerReply): void => port.postMessage(r);
  try {
    if (message.type === 'init') {
      trainer = new EngineTrainer(message.spec);
      values = new Float32Array(message.values);
      grads = new Float32Array(message.grads);
      reply({ type: 'ready' });
      return;
    }
    if (trainer === undefined || values === undefined || grads === undefined) throw new Error('shard before init');
    trainer.values.data.set(values);
    const loss = trainer.lossAndGradients(message.batch, message.lossTokens);
    grads.set(trainer.grads.data);
    reply({ type: 'loss', loss });
  } catch (err) {
    reply({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
