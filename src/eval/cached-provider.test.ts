import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentHash } from '../store/hash.js';
import { requestKey } from './cached-provider.js';

const request = { messages: [{ role: 'user', content: 'hi' }], temperature: 1, seed: 3 };

test('a model without a content version keeps the key emlab always used, so existing databases keep their answers', () => {
  assert.equal(requestKey('openai:m', 'chat', request, 3), contentHash({ model: 'openai:m', kind: 'chat', request, sampleIndex: 3 }));
  assert.equal(requestKey('openai:m', 'chat', request, 3, undefined), requestKey('openai:m', 'chat', request, 3));
});

test('a content version makes another key: two checkpoints under one id never share an answer', () => {
  const a = requestKey('organism:base', 'chat', request, 0, 'a'.repeat(64));
  const b = requestKey('organism:base', 'chat', request, 0, 'b'.repeat(64));
  assert.notEqual(a, b);
  assert.notEqual(a, requestKey('organism:base', 'chat', request, 0));
  assert.notEqual(requestKey('organism:judge', 'score', request, 0, 'a'.repeat(64)), requestKey('organism:judge', 'score', request, 0, 'b'.repeat(64)));
});
