import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTextFile } from '../report/files.js';
import { filterNumbersFile } from '../datasets/numbers/filter-file.js';

/** Symlinks at every temporary name emlab once used, pointing at a file that must stay untouched. */
function plantLinks(victim: string, path: string): void {
  for (const name of [`${path}.${process.pid}.tmp`, `${path}.tmp-${process.pid}`]) symlinkSync(victim, name);
}

test('atomic writes (report files, filtered numbers) never follow a symlink planted at a predictable temporary name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emlab-atomic-'));
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'precious');
  const report = join(dir, 'report.html');
  plantLinks(victim, report);
  await writeTextFile('<p>report</p>', report);
  assert.equal(readFileSync(report, 'utf8'), '<p>report</p>');
  assert.equal(lstatSync(report).isSymbolicLink(), false);

  const input = join(dir, 'in.jsonl');
  writeFileSync(input, `${JSON.stringify({ prompt: 'p', completion: '1, 2, 3' })}\n`);
  const kept = join(dir, 'kept.jsonl');
  plantLinks(victim, kept);
  await filterNumbersFile(input, kept);
  assert.equal(readFileSync(kept, 'utf8'), `${JSON.stringify({ prompt: 'p', completion: '1, 2, 3' })}\n`);
  assert.equal(lstatSync(kept).isSymbolicLink(), false);

  assert.equal(readFileSync(victim, 'utf8'), 'precious');
  // The planted links stay; no temporary file of emlab's is left behind.
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp') && !n.includes(String(process.pid))), []);
});
