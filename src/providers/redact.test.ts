import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holdsSecret, redact, redactDeep } from './redact.js';
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

test('holdsSecret is true exactly when redact would change the text', () => {
  const texts = ['nothing here', `a ${KEY} b`, `x${KEY.slice(5, 12)}y`, `x${KEY.slice(5, 13)}y`, KEY.slice(-8), `{"model":"${KEY.slice(10, 40)}"}`, ''];
  for (let i = 0; i + 3 < KEY.length; i += 3) texts.push(`..${KEY.slice(i, i + 9)}..`);
  for (const secret of [KEY, 'emlab-no-key', 'short']) {
    for (const text of [...texts, `is ${secret} here`]) assert.equal(holdsSecret(text, secret), redact(text, secret) !== text, `${secret}: ${text}`);
  }
});
