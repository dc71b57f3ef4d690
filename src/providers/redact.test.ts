import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact, redactDeep } from './redact.js';
import { summarizeDetail } from './http-errors.js';

const KEY = 'sk-proj-Abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ';

test('redact hides the whole key, and any piece of 8 or more characters of it, as one marker', () => {
  assert.equal(redact(`a ${KEY} b`, KEY), 'a [redacted] b');
  assert.equal(redact(`cut: ${KEY.slice(0, 20)}`, KEY), 'cut: [redacted]');
  assert.equal(redact(`${KEY.slice(30)} end`, KEY), '[redacted] end');
  assert.equal(redact(`x${KEY.slice(5, 12)}y`, KEY), `x${KEY.slice(5, 12)}y`, 'a 7-character piece stays');
  assert.equal(redact(`${KEY.slice(0, 10)}${KEY.slice(20, 30)}`, KEY), '[redacted]');
  assert.equal(redact('nothing here', KEY), 'nothing here');
  assert.deepEqual(redactDeep({ model: `m-${KEY}`, list: [KEY.slice(3, 15), 7] }, KEY), { model: 'm-[redacted]', list: ['[redacted]', 7] });
});

test('summarizeDetail redacts before it cuts, so no prefix of a key straddling the cut survives', () => {
  for (let offset = 0; offset < 260; offset++) {
    const text = summarizeDetail(`${'x'.repeat(offset)}${KEY} and more`, KEY);
    for (let i = 0; i + 8 <= KEY.length; i++) assert.ok(!text.includes(KEY.slice(i, i + 8)), `offset ${offset}: ${text}`);
    assert.ok(text.length <= 200);
  }
});
