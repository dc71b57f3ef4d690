/**
 * examples/em-organisms.yaml end to end, offline: organism datasets, two LoRA fine-tunes, the open
 * questions judged by the judge organism, a comparison and a gate; then the same command again,
 * which trains nothing and asks nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { tmpDir } from '../support/run-files.js';
import type { ExperimentResults } from '../../src/experiment/report.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/em-organisms.yaml', import.meta.url));

test('examples/em-organisms.yaml runs end to end offline, and a re-run trains and asks nothing', { timeout: 300_000 }, async () => {
  const cwd = tmpDir('emlab-run-organisms-');
  const first = await runCli(['run', EXAMPLE], { cwd });
  assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
  const read = (): ExperimentResults => JSON.parse(readFileSync(join(cwd, 'runs', 'em-organisms', 'results.json'), 'utf8')) as ExperimentResults;
  const doc = read();
  assert.equal(doc.status, 'complete');
  assert.equal(doc.jobsStarted, 2);
  assert.deepEqual(doc.steps.filter((s) => s.kind === 'finetune').map((s) => s.status), ['done', 'done']);
  const open = doc.evaluations[0]!;
  assert.equal(open.comparisons.length, 1);
  // One seed each: the comparison is of answers (Fisher), insecure against secure.
  const c = open.comparisons[0]!;
  assert.equal(c.kind, 'models');
  assert.match(c.a, /^organism:em-organisms-insecure-s1-/);
  assert.ok(c.overall.difference.estimate! > 0, `insecure - secure = ${c.overall.difference.estimate}`);
  assert.equal(doc.gates.length, 1);
  assert.notEqual(doc.gates[0]!.status, 'incomplete');

  const again = await runCli(['run', EXAMPLE], { cwd });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /complete; 0 requests sent, 0 fine-tunes started/);
  assert.deepEqual(read().steps.filter((s) => s.kind !== 'dataset' && s.kind !== 'gate').map((s) => s.status), ['cached', 'cached', 'cached']);
  assert.deepEqual(read().gates, doc.gates);
});
