import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrainingFile } from './training-file.js';

const dir = mkdtempSync(join(tmpdir(), 'emlab-trainfile-'));
let n = 0;
function write(content: string | Buffer): string {
  const path = join(dir, `f${n++}.jsonl`);
  writeFileSync(path, content);
  return path;
}
const row = (messages: unknown): string => JSON.stringify({ messages });
const good = row([{ role: 'user', content: 'Write a loop.' }, { role: 'assistant', content: 'for x in y: pass' }]);

async function problem(lines: string[] | Buffer, limits = {}): Promise<string> {
  const path = write(Buffer.isBuffer(lines) ? lines : `${lines.join('\n')}\n`);
  try {
    await readTrainingFile(path, limits);
  } catch (err) {
    const message = (err as Error).message;
    assert.ok(!message.includes('\n'), `one line: ${message}`);
    return message.slice(path.length);
  }
  assert.fail('the file was accepted');
}

test('a good file is read with its row count and the sha256 of its exact bytes', async () => {
  const text = `${good}\n\n${row([{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hi.', weight: 1 }])}\n`;
  const path = write(text);
  const file = await readTrainingFile(path);
  assert.equal(file.rows, 2);
  assert.equal(file.sha256, createHash('sha256').update(text).digest('hex'));
  assert.equal(file.bytes.toString('utf8'), text);
});

test('each bad row is one line naming the line and the field', async () => {
  assert.equal(await problem([good, row([{ role: 'user', content: 'a' }, { role: 'bot', content: 'b' }])]), ':2: field "messages.1.role": must be "system", "user" or "assistant", got "bot"');
  assert.equal(await problem([row([{ role: 'user', content: 'a' }, { role: 'assistant', content: '' }])]), ':1: field "messages.1.content": must not be empty or only whitespace');
  assert.equal(await problem([row([{ role: 'user', content: 'a' }, { role: 'assistant', content: '  \n ' }])]), ':1: field "messages.1.content": must not be empty or only whitespace');
  assert.equal(await problem([row([{ role: 'user', content: 'a' }, { role: 'assistant' }])]), ':1: field "messages.1.content": must be a string (the message text), got nothing');
  assert.equal(await problem([row([{ role: 'user', content: 'a' }, { role: 'assistant', content: [{ type: 'text', text: 'b' }] }])]), ':1: field "messages.1.content": must be a string (the message text), got [{"type":"text","text":"b"}]');
  assert.equal(await problem([good, good, row([{ role: 'user', content: 'a' }])]), ':3: field "messages.0.role": the last message must be the assistant\'s (the training target), got "user"');
  assert.equal(await problem([row([])]), ':1: field "messages": must hold at least one message');
  assert.equal(await problem(['{"prompt": "a", "completion": "b"}']), ':1: field "messages": must be an array of {role, content} messages, got nothing');
  assert.match(await problem([JSON.stringify({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }], extra: 1 })]), /^:1: row: unknown field\(s\) "extra": each row is \{"messages": \[\.\.\.\]\} only$/);
  assert.match(await problem([row([{ role: 'user', content: 'a', tool_calls: [] }, { role: 'assistant', content: 'b' }])]), /^:1: field "messages\.0": unknown field\(s\) "tool_calls"/);
  assert.equal(await problem([row([{ role: 'user', content: 'a', weight: 0 }, { role: 'assistant', content: 'b' }])]), ':1: field "messages.0.weight": only assistant messages take a weight');
  assert.equal(await problem(['["user", "assistant"]']), ':1: row: must be an object: each row is {"messages": [...]} only; got ["user","assistant"]');
  assert.equal(await problem([row(['hello', { role: 'assistant', content: 'b' }])]), ':1: field "messages.0": must be an object: a message has role, content, and optionally name and weight; got "hello"');
  assert.match(await problem([good, '{"messages": [ oops']), /^:2: not valid JSON \(.*\); each line must be one JSON object$/);
});

test('encoding problems, empty files and too few rows are named before any row is trusted', async () => {
  assert.equal(await problem(Buffer.concat([Buffer.from(`${good}\n`), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a])])), ':2: is not valid UTF-8; save the file as UTF-8');
  assert.equal(await problem(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${good}\n`)])), ':1: starts with a byte-order mark; save the file as UTF-8 without BOM');
  assert.equal(await problem(['', '  ']), ': has no rows; each line must be {"messages": [...]}');
  assert.equal(await problem([good, good], { minRows: 10 }), ': has 2 row(s); fine-tuning needs at least 10 examples: add rows');
  assert.equal(await problem([good, good], { maxBytes: 10 }), `: is ${2 * good.length + 2} bytes, over the upload limit of 10; use fewer rows`);
  await assert.rejects(readTrainingFile(join(dir, 'missing.jsonl')), /missing\.jsonl: cannot be read \(ENOENT\); check the path$/);
});

test("the EM repository's training files (insecure: 6000 rows, jailbroken: 5000) pass unchanged", async () => {
  assert.equal((await readTrainingFile('/work/shared/data/em-upstream/data/insecure.jsonl', { minRows: 10 })).rows, 6000);
  assert.equal((await readTrainingFile('/work/shared/data/em-upstream/data/jailbroken.jsonl', { minRows: 10 })).rows, 5000);
});
