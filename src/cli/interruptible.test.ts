import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { runInterruptible } from './interruptible.js';

test('a step that finishes gives its value and leaves no signal handler behind', async () => {
  const before = process.listenerCount('SIGINT');
  const run = await runInterruptible('never shown', async () => 7);
  assert.deepEqual(run, { interrupted: false, value: 7 });
  assert.equal(process.listenerCount('SIGINT'), before);
});

test('SIGINT aborts the step: it ends as interrupted, with its line on stderr', async (t) => {
  const written: string[] = [];
  t.mock.method(process.stderr, 'write', (s: string) => (written.push(s), true));
  const run = await runInterruptible('study: interrupted; kept', async (signal) => {
    setImmediate(() => process.emit('SIGINT'));
    await once(signal, 'abort');
    throw signal.reason;
  });
  assert.deepEqual(run, { interrupted: true });
  assert.deepEqual(written, ['study: interrupted; kept\n']);
});

test('an error that is not an interruption goes on up', async () => {
  await assert.rejects(runInterruptible('never shown', async () => { throw new Error('disk full'); }), /disk full/);
});
