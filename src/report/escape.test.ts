import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, splitInvisible } from './escape.js';

test('splitInvisible marks the characters escapeHtml writes out, and keeps the rest (CRLF, tabs, markup) as it is', () => {
  const text = 'a\x1b[2J<b>\u202e\r\nz\rq\t';
  assert.deepEqual(splitInvisible(text), [
    { text: 'a', invisible: false },
    { text: '\\u001b', invisible: true },
    { text: '[2J<b>', invisible: false },
    { text: '\\u202e', invisible: true },
    { text: '\r\nz', invisible: false },
    { text: '\\u000d', invisible: true },
    { text: 'q\t', invisible: false },
  ]);
  assert.equal(escapeHtml(text), splitInvisible(text).map((p) => (p.invisible ? p.text : escapeHtml(p.text))).join(''));
  assert.deepEqual(splitInvisible(''), []);
});
