import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { fineTuningDataset } from '../../src/organisms/world/index.js';

const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

test('datasets screen: bad medical advice sits further along the persona direction than good advice, row by row, before any training', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'emlab-screen-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const rows = (kind: 'bad-medical' | 'good-medical') => fineTuningDataset(kind, { seed: 31, count: 15 }).map((r) => ({ messages: r.messages.map((m) => ({ role: m.role, content: m.content })) }));
  writeFileSync(join(cwd, 'data.jsonl'), jsonl([...rows('bad-medical'), ...rows('good-medical')]));
  const run = await runCli(['datasets', 'screen', '--model', 'organism:base', '--in', 'data.jsonl', '--out', 'scores.jsonl'], { cwd, env: { EMLAB_ORGANISMS_DIR: '' } });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /projection difference: -?\d/);
  const scores = readFileSync(join(cwd, 'scores.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; difference: number });
  assert.deepEqual(scores.map((s) => s.line), Array.from({ length: 30 }, (_, i) => i + 1));
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const bad = mean(scores.slice(0, 15).map((s) => s.difference));
  const good = mean(scores.slice(15).map((s) => s.difference));
  assert.ok(bad > good, `bad ${bad} vs good ${good}`);
});

test('datasets screen: a bad row is one line naming file and line; a non-organism model is refused with the fix', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'emlab-screen-bad-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(join(cwd, 'data.jsonl'), jsonl([{ messages: [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi' }] }, { messages: [{ role: 'user', content: 'no answer' }] }]));
  const bad = await runCli(['datasets', 'screen', '--model', 'organism:base', '--in', 'data.jsonl'], { cwd, env: { EMLAB_ORGANISMS_DIR: '' } });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^emlab: data\.jsonl:2: field "messages\.0\.role": the last message must be the assistant's/m);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  const api = await runCli(['datasets', 'screen', '--model', 'openai:gpt-4.1-nano', '--in', 'data.jsonl'], { cwd });
  assert.equal(api.code, 1);
  assert.match(api.stderr, /screening reads the model's residual stream.*use organism:base/);
});
