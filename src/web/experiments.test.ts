import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store } from '../store/store.js';
import { listExperiments } from './experiments.js';
import { SourceSet } from './sources.js';

/** A database made by emlab's own store (all migrations), with one finished experiment step written as step-store.ts writes it. */
function database(dir: string, withStep: boolean): void {
  const path = join(dir, 'emlab.db');
  Store.open(path).close();
  if (!withStep) return;
  const db = new Database(path);
  db.prepare('INSERT INTO experiment_steps (key, step, output_json, created_at) VALUES (?, ?, ?, ?)').run('ab'.repeat(32), 'evaluation:open', JSON.stringify({ runId: 'nosuchrun' }), '2026-01-02T03:04:05.000Z');
  db.close();
}

test('a database without experiment steps or an experiment results.json is no experiment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emlab-view-noexp-'));
  database(dir, false);
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ kind: 'emlab.results', runIds: [] }));
  const sources = new SourceSet([dir]);
  assert.deepEqual(listExperiments(sources), []);
  sources.close();
});

test('an experiment whose results.json is not of the expected shape shows its stored steps only, as running', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emlab-view-exp-'));
  database(dir, true);
  // A group estimate that is text: the whole file is refused rather than shown half-read.
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ kind: 'emlab.experiment', name: 'x', createdAt: '', status: 'complete', steps: [], evaluations: [{ name: 'open', status: 'done', suite: null, groups: [{ name: 'g', members: [], overall: { estimate: '<b>1</b>', lo: 0, hi: 1, nMembers: 1, method: 'm' } }], comparisons: [] }] }));
  const sources = new SourceSet([dir]);
  const [x, ...rest] = listExperiments(sources);
  assert.equal(rest.length, 0);
  assert.equal(x!.status, 'running');
  assert.deepEqual(x!.evaluations, []);
  assert.deepEqual(x!.steps.map((s) => [s.id, s.kind, s.status, s.hash]), [['evaluation:open', 'evaluation', 'stored', 'ab'.repeat(32)]]);
  sources.close();
});
