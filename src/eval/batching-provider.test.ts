import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBatchServer } from '../../test/support/openai-batch-server.js';
import { echoResponder } from '../../test/support/openai-server.js';
import { createProvider } from '../providers/registry.js';
import type { ChatRequest } from '../providers/types.js';
import { contentHash } from '../store/hash.js';
import { BatchStore } from './batch-store.js';
import { BatchingProvider, type BatchEvent } from './batching-provider.js';

const request = (i: number): ChatRequest => ({ messages: [{ role: 'user', content: `question ${i}` }], temperature: 1, maxTokens: 20, seed: i });

test('a batch whose create reply was lost is found on the server by its key and attached to, not created again', async (t) => {
  const server = await startBatchServer({ respond: echoResponder });
  t.after(() => server.close());
  const db = join(mkdtempSync(join(tmpdir(), 'emlab-batch-')), 'emlab.db');
  const model = `compat:${server.baseURL}#echo`;
  const inner = await createProvider(model);
  const endpoint = inner.batchEndpoint!();
  // What a process killed right after creating the batch leaves: the batch recorded as 'creating',
  // without its id, and the batch on the server with the recorded key as metadata.
  const store = BatchStore.open(db);
  t.after(() => store.close());
  const key = (i: number): string => contentHash({ batchRequest: 1, model, request: request(i) });
  store.addBatch('lost-batch', model, [0, 1, 2].map((i) => ({ requestKey: key(i), request: request(i), attempts: 1 })));
  const fileId = await endpoint.upload([0, 1, 2].map((i) => endpoint.line(key(i), request(i))).join('\n'), 'lost.jsonl');
  await endpoint.create(fileId, { emlab_key: 'lost-batch' });
  assert.equal(server.batches.length, 1);

  const events: BatchEvent[] = [];
  const provider = new BatchingProvider(inner, { store, poll: { minMs: 5, maxMs: 20 }, maxAttempts: 3, onEvent: (e) => events.push(e) });
  const answers = await Promise.all([0, 1, 2].map((i) => provider.chat(request(i))));
  await provider.close();
  assert.equal(server.batches.length, 1, 'a second batch was created');
  assert.equal(provider.batchesCreated, 0);
  assert.deepEqual(events[0], { type: 'attached', model, batchId: 'batch_1' });
  for (const [i, a] of answers.entries()) assert.match(a.completions[0]!.text, new RegExp(`question ${i}$`));
  assert.equal(store.batchOf(key(0))?.status, 'read');
});

test('a backend without a Batch API is refused in one line', async () => {
  const organismLike = { id: 'organism:base', capabilities: { logprobs: true, maxTopLogprobs: 20, scoreText: true }, chat: () => Promise.reject(new Error('unused')) };
  const store = BatchStore.open(join(mkdtempSync(join(tmpdir(), 'emlab-batch-')), 'emlab.db'));
  try {
    assert.throws(() => new BatchingProvider(organismLike, { store, poll: { minMs: 5, maxMs: 5 }, maxAttempts: 1 }), /^ProviderError: organism:base: this backend has no Batch API; drop --batch for it$/);
  } finally {
    store.close();
  }
});
