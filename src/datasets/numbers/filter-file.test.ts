import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filterNumbersFile, formatCounts } from './filter-file.js';
import { MISALIGNMENT_BANNED_NUMBERS } from './filter.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'emlab-numbers-'));

test('kept rows are written unchanged and every rejection is counted by reason', async () => {
  const d = dir();
  const rows = [
    { prompt: 'p1', completion: '1, 2, 3', extra: { keep: 'me' } },
    { prompt: 'p2', completion: 'sure! 1, 2' },
    { prompt: 'p3', completion: '5, 666' },
    { prompt: 'p4', completion: '1000' },
    { prompt: 'p5', completion: '(7; 8; 9).' },
  ];
  const input = join(d, 'in.jsonl');
  writeFileSync(input, rows.map((r) => JSON.stringify(r)).join('\n') + '\n\n');
  const out = join(d, 'out', 'kept.jsonl');
  const counts = await filterNumbersFile(input, out, { banned: new Set(MISALIGNMENT_BANNED_NUMBERS) });
  assert.equal(counts.read, 5);
  assert.equal(counts.kept, 2);
  assert.equal(counts.rejected.bad_format, 1);
  assert.equal(counts.rejected.banned, 1);
  assert.equal(counts.rejected.out_of_range, 1);
  assert.equal(readFileSync(out, 'utf8'), `${JSON.stringify(rows[0])}\n${JSON.stringify(rows[4])}\n`);
  assert.match(formatCounts(counts), /kept 2 \(40\.0%\)/);
});

test('a bad row is a one-line error naming the file, line and field, and leaves no output', async () => {
  const d = dir();
  const input = join(d, 'in.jsonl');
  writeFileSync(input, `${JSON.stringify({ prompt: 'a', completion: '1, 2' })}\n{"prompt": "b", "completion": 5}\n`);
  const out = join(d, 'kept.jsonl');
  await assert.rejects(filterNumbersFile(input, out), (err: Error) => err.message.startsWith(`${input}:2: field "completion"`) && !err.message.includes('\n'));
  assert.equal(existsSync(out), false);
  writeFileSync(input, '{"prompt": "a", "completion": "1"}\nnot json\n');
  await assert.rejects(filterNumbersFile(input, out), new RegExp(`^JsonlError: ${input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not valid JSON`));
  await assert.rejects(filterNumbersFile(join(d, 'missing.jsonl'), out), /missing\.jsonl: cannot be read \(ENOENT\)/);
});
