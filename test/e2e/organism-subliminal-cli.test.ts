import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import type { OrganismSubliminalResults } from '../../src/studies/organism-subliminal/index.js';

const ARMS = ['base', 'base-b', 'teacher', 'student-same', 'control-same', 'student-other', 'control-other'];

// Shape only: the quick run's data are far too small to measure transfer. The default run found a
// small same-init effect (+0.014 owl mass, interval [+0.003, +0.025] over 4 seeds; README.md in
// src/studies/organism-subliminal), too small and too close to 0 to assert in a test.
test('study organism-subliminal --quick trains teachers and students through the real CLI and writes every arm', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'emlab-organism-sl-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const res = await runCli(['study', 'organism-subliminal', '--quick', '--out', 'out'], { cwd, env: { EMLAB_ORGANISMS_DIR: '' } });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /same init: student − control/);
  const r = JSON.parse(readFileSync(join(cwd, 'out', 'results.json'), 'utf8')) as OrganismSubliminalResults;
  assert.equal(r.format, 'emlab.organism-subliminal/1');
  assert.equal(r.quick, true);
  assert.deepEqual(r.arms.map((a) => a.arm), ARMS);
  assert.equal(r.perSeed.length, r.seeds.length);
  assert.ok(r.seeds.length >= 2, 'intervals need two seeds');
  const prompts = (r.settings as { prompts: number }).prompts;
  for (const s of r.perSeed) {
    assert.deepEqual(Object.keys(s.rates).sort(), [...ARMS].sort());
    for (const [arm, rate] of Object.entries(s.rates)) {
      for (const v of [rate.sampled, rate.sampledHeldOut, rate.forced, rate.forcedHeldOut, rate.noAnimal]) assert.ok(v >= 0 && v <= 1, `${arm}: ${v}`);
    }
    for (const f of [s.filter.owl, s.filter.control]) {
      const rejected = Object.values(f.rejected).reduce((a, b) => a + b, 0);
      assert.equal(f.kept + rejected, f.total);
      assert.equal(f.total, prompts);
    }
    assert.ok(s.trainRows > 0 && s.trainRows <= Math.min(s.filter.owl.kept, s.filter.control.kept));
  }
  for (const a of r.arms) {
    assert.equal(a.sampled.length, r.seeds.length);
    assert.ok(a.forcedSummary.low !== null && a.forcedSummary.low <= a.forcedSummary.mean && a.forcedSummary.mean <= a.forcedSummary.high!);
  }
  assert.deepEqual(r.paired.map((p) => [p.minuend, p.subtrahend]), [['student-same', 'control-same'], ['student-other', 'control-other']]);
  // The owl LoRA must have moved the teacher toward owls, or the study tests nothing.
  const rate = (arm: string): number => r.arms.find((a) => a.arm === arm)!.forcedSummary.mean;
  assert.ok(rate('teacher') > rate('base') + 0.1, `teacher ${rate('teacher')} vs base ${rate('base')}`);
  assert.equal(r.timing.adaptersTrained, 5 * r.seeds.length);
});
