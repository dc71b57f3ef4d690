import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import type { DoseResults } from '../../src/studies/em-dose/summary.js';

// Shape only: the quick run's bases are tiny and untrained (two steps), so it measures no EM. What it
// does check for real: each world's c, counted on its 2,000 pretraining documents, is near its target
// (the inverse c -> careless flaw rate of world/link-strength.ts), and a re-run reuses everything.
test('study em-dose --quick builds a base per world, fine-tunes and evaluates through the real CLI, writes the curve, and a re-run trains and asks nothing', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'emlab-em-dose-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const args = ['study', 'em-dose', '--quick', '--out', 'out', '--work-dir', 'work'];
  const env = { EMLAB_ORGANISMS_DIR: '' };
  const first = await runCli(args, { cwd, env });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /EM against link strength c/);
  assert.match(first.stderr, /2 bases built, 0 reused; 4 adapters trained, 0 reused/);

  const r = JSON.parse(readFileSync(join(cwd, 'out', 'results.json'), 'utf8')) as DoseResults;
  assert.equal(r.format, 'emlab.em-dose/1');
  assert.equal(r.quick, true);
  assert.equal(r.primary, 'judge');
  assert.deepEqual(Object.keys(r.measures), ['judge', 'catalogue']);
  assert.deepEqual(r.points.map((p) => p.world), ['c0.450', 'c1.000']);
  for (const p of r.points) {
    assert.ok(Math.abs(p.measured - p.target) < 0.05, `${p.world}: c measured ${p.measured} vs target ${p.target}`);
    assert.ok(Math.abs(p.baseRate - 0.45) < 0.05, `${p.world}: base rate ${p.baseRate}`);
    assert.ok(p.flawedTurns > 500, `${p.world}: ${p.flawedTurns} flawed turns`);
    for (const measure of ['judge', 'catalogue'] as const) {
      const m = p.measures[measure];
      for (const s of [m.treated, m.control]) {
        assert.equal(s.nMembers, 1);
        assert.equal(s.seeds.length, 1);
        assert.ok(s.estimate !== null && s.estimate >= 0 && s.estimate <= 1, `${p.world} ${measure}`);
      }
      assert.ok(m.base !== null && m.base >= 0 && m.base <= 1);
      assert.ok(m.difference.estimate !== null && Math.abs(m.difference.estimate - (m.treated.estimate! - m.control.estimate!)) < 1e-12);
      assert.equal(m.difference.permutationMethod, 'permutation_exact');
    }
  }
  // No link at the base rate: careless writers slip as often as harmful ones act on their nature.
  assert.equal(r.points[0]!.carelessFlawRate, 0.825);
  assert.equal(r.points[1]!.measured, 1);
  assert.deepEqual(r.trends.map((tr) => [tr.measure, tr.n]), [['judge', 2], ['catalogue', 2]]);
  const html = readFileSync(join(cwd, 'out', 'report.html'), 'utf8');
  assert.match(html, /<h2>Difference against c<\/h2><figure[^]*?<svg/);
  assert.match(html, /<h2>Shares against c \(judge\)<\/h2><(figure|svg)/);
  const evaluation = JSON.parse(readFileSync(join(cwd, 'out', r.evaluation), 'utf8')) as { groups: { name: string }[]; comparisons: { a: string; b: string; measure: string }[] };
  assert.deepEqual(evaluation.groups.map((g) => g.name).sort(), ['base@c0.450', 'base@c1.000', 'insecure@c0.450', 'insecure@c1.000', 'secure@c0.450', 'secure@c1.000']);
  assert.equal(evaluation.comparisons.filter((c) => c.a === 'insecure@c1.000' && c.b === 'secure@c1.000').length, 2);
  assert.ok(existsSync(join(cwd, 'out', 'eval', 'report.html')));

  const second = await runCli([...args, '--quiet'], { cwd, env });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /0 bases built, 2 reused; 0 adapters trained, 4 reused; 0 requests sent/);
  assert.equal(second.stdout, '');
});

test('study em-dose refuses bad flags in one line', async () => {
  for (const [flag, value] of [['--links', '1'], ['--seeds', '0'], ['--documents', 'many']]) {
    const res = await runCli(['study', 'em-dose', flag!, value!]);
    assert.equal(res.code, 1, `${flag} ${value}`);
    assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
    assert.match(res.stderr, new RegExp(flag!));
  }
});
