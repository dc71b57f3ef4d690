import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BUILD } from '../../organisms/build/config.js';
import type { ComparisonResult, GroupResult, ResultsDocument } from '../../report/results-types.js';
import { doseCurve, doseTrends } from './curve.js';
import { doseWorlds } from './worlds.js';

function group(name: string, values: number[]): GroupResult {
  const estimate = values.reduce((a, b) => a + b, 0) / values.length;
  return {
    name, members: values.map((_, i) => `m${i}`), perQuestion: [],
    overall: { estimate, lo: estimate - 0.01, hi: estimate + 0.01, nMembers: values.length, method: 't_over_groups', note: null, members: values.map((value, i) => ({ model: `${name}-s${i + 1}`, value })) },
  } as unknown as GroupResult;
}

function comparison(a: string, b: string, measure: string, estimate: number): ComparisonResult {
  return { a, b, kind: 'groups', measure, perQuestion: [], overall: { a: null, b: null, difference: { estimate, lo: estimate - 0.05, hi: estimate + 0.05, method: 'welch_t' }, test: { method: 'permutation_exact', pValue: 0.1 }, welch: { method: 'welch_t_two_sided', pValue: 0.04, t: 3, df: 4 }, note: null } } as ComparisonResult;
}

test('doseCurve reads each world\'s groups and comparisons for both measures; doseTrends regresses the seed differences on the measured c', () => {
  const worlds = doseWorlds(DEFAULT_BUILD, { count: 2, documents: 10 });
  // Judge: no difference at the base rate, +10 points at c = 1; catalogue: half of that.
  const judge = [group('base@c0.450', [0.01]), group('insecure@c0.450', [0.02, 0.03]), group('secure@c0.450', [0.02, 0.03]),
    group('base@c1.000', [0.01]), group('insecure@c1.000', [0.12, 0.13]), group('secure@c1.000', [0.02, 0.03])];
  const catalogue = judge.map((g) => group(g.name, g.overall.members.map((m) => m.value! / 2)));
  const doc = {
    groups: judge,
    answerMeasures: [{ measure: 'catalogueHarmfulMatch', description: '', models: [], groups: catalogue }],
    comparisons: [comparison('insecure@c1.000', 'secure@c1.000', 'questionMean', 0.1), comparison('insecure@c1.000', 'secure@c1.000', 'catalogueHarmfulMatch', 0.05), comparison('insecure@c0.450', 'secure@c0.450', 'questionMean', 0)],
  } as unknown as ResultsDocument;
  const links = new Map([['c1.000', { c: 1, baseRate: 0.46, flawedTurns: 100 }], ['c0.450', { c: 0.45, baseRate: 0.46, flawedTurns: 200 }]]);
  const points = doseCurve(doc, worlds, links, { treated: 'insecure', control: 'secure' });
  assert.deepEqual(points.map((p) => p.world), ['c0.450', 'c1.000']);
  const top = points[1]!.measures;
  assert.equal(top.judge.difference.estimate, 0.1);
  assert.equal(top.catalogue.difference.estimate, 0.05);
  assert.deepEqual(top.judge.treated.seeds, [0.12, 0.13]);
  assert.equal(top.judge.base, 0.01);
  assert.equal(points[0]!.measures.catalogue.difference.estimate, null, 'a comparison that is not there is reported as missing');
  const [judgeTrend, catalogueTrend] = doseTrends(points, { seed: 1, resamples: 500 });
  assert.equal(judgeTrend!.n, 4);
  assert.ok(Math.abs(judgeTrend!.slope! - 0.1 / 0.55) < 1e-9, String(judgeTrend!.slope));
  assert.ok(Math.abs(catalogueTrend!.slope! - 0.05 / 0.55) < 1e-9);
});
