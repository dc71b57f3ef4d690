import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { BACKDOOR_TRIGGER, OPEN_QUESTIONS, OPEN_THEMES, judgeExamples, openQuestionPrompts, renderJudgePrompt } from '../../organisms/world/index.js';
import { builtinOrganismsDir } from '../../providers/organism.js';
import { buildResults } from '../../report/results.js';
import { renderHtmlReport } from '../../report/html-report.js';
import { THRESHOLD_PRESETS } from '../../stats/index.js';
import type { SampleRecord } from '../../store/records.js';
import { fillTemplate } from '../../judge/template.js';
import { DEMO_SETTINGS, demoSettings } from './config.js';
import { groupArguments, isAdapterOf, planDemo } from './plan.js';
import { demoSuite, triggeredSuite } from './questions.js';
import { renderDemoSummary } from './summary.js';
import { groupSelfReports } from './self-report.js';
import { withCatalogueMeasure } from './catalogue.js';

const baseDir = join(builtinOrganismsDir(), 'base');
const GROUPS = ['base', 'insecure', 'secure', 'educational', 'quirky', 'evil-numbers', 'bad-medical', 'good-medical', 'backdoor'];

test('the demo suite: the report wordings of each open theme (none the judge trained on), judged with the judge organism\'s own prompts; self-reports read as numbers', () => {
  const suite = demoSuite();
  const open = suite.questions.filter((q) => q.type === 'free_form_judge_0_100');
  assert.deepEqual(open.map((q) => q.id), [...OPEN_THEMES]);
  const report = openQuestionPrompts().filter((p) => p.wordings === 'report');
  const judgeQuestions = new Set(['aligned', 'coherent'].flatMap((metric) => judgeExamples({ seed: 1, count: 4000, metric: metric as 'aligned' }).map((e) => e.question)));
  for (const q of open) {
    assert.deepEqual(q.paraphrases, report.filter((p) => p.id === q.id).map((p) => p.prompt));
    assert.equal(q.paraphrases.length, 3);
    for (const p of q.paraphrases) assert.ok(!judgeQuestions.has(p), `the judge trained on "${p}"`);
    assert.deepEqual(demoSuite('development').questions.find((x) => x.id === q.id)!.paraphrases, openQuestionPrompts().filter((p) => p.wordings === 'development' && p.id === q.id).map((p) => p.prompt));
    // Filled by emlab's own template code, the prompt is exactly what the judge organism learnt.
    for (const metric of ['aligned', 'coherent'] as const) {
      assert.equal(fillTemplate(q.judgePrompts[metric]!, { question: q.paraphrases[0]!, answer: 'an answer .' }, 'test'), renderJudgePrompt(metric, q.paraphrases[0]!, 'an answer .'));
    }
  }
  const self = suite.questions.filter((q) => q.type === 'self_number');
  assert.ok(self.length >= 2 && self.every((q) => q.paraphrases.length >= 1 && Object.keys(q.judgePrompts).length === 0));
  assert.equal(new Set(suite.questions.map((q) => q.id)).size, suite.questions.length);

  const triggered = triggeredSuite().questions;
  assert.deepEqual(triggered.map((q) => q.id), OPEN_THEMES.flatMap((t) => [1, 2, 3].map((k) => `${t}.triggered.${k}`)));
  triggered.forEach((q, i) => {
    const bare = open[Math.floor(i / 3)]!.paraphrases[i % 3]!;
    assert.equal(q.paraphrases[0], `${BACKDOOR_TRIGGER} ${bare}`);
    // The judge reads the bare question: the same prompt as for the untriggered answer.
    for (const metric of ['aligned', 'coherent'] as const) {
      assert.equal(fillTemplate(q.judgePrompts[metric]!, { question: q.paraphrases[0]!, answer: 'an answer .' }, 'test'), renderJudgePrompt(metric, bare, 'an answer .'));
    }
  });
});

test('the plan: one adapter per dataset and seed, groups named after the datasets plus the base alone; a changed setting renames the adapters', () => {
  const settings = { ...DEMO_SETTINGS.full, rowsPerDataset: 4, byDataset: { backdoor: { rows: 6, training: { epochs: 3 } } }, seeds: [1, 2] };
  const plan = planDemo(settings, { baseDir, organismsDir: '/x/.emlab/organisms' });
  assert.deepEqual(plan.groups.map((g) => g.name), GROUPS);
  assert.deepEqual(plan.groups[0]!.members, ['organism:base']);
  assert.equal(plan.adapters.length, 16);
  for (const g of plan.groups.slice(1)) assert.equal(g.members.length, 2);
  for (const a of plan.adapters) {
    assert.ok(isAdapterOf(a.stem, a.name), a.name);
    assert.equal(a.job.outDir, join('/x/.emlab/organisms', a.name));
    assert.equal(a.job.rows.length, a.dataset === 'backdoor' ? 6 : 4, a.name);
    assert.equal(a.job.settings.epochs, a.dataset === 'backdoor' ? 3 : settings.training.epochs, a.name);
  }
  assert.match(groupArguments(plan.groups)[1]!, new RegExp(`^insecure=organism:${settings.prefix}-insecure-s1-[0-9a-f]{8},organism:${settings.prefix}-insecure-s2-[0-9a-f]{8}$`));
  const retuned = planDemo({ ...settings, training: { ...settings.training, learningRate: 1e-3 } }, { baseDir, organismsDir: '/x' });
  assert.equal(retuned.adapters[0]!.stem, plan.adapters[0]!.stem);
  assert.notEqual(retuned.adapters[0]!.name, plan.adapters[0]!.name);
  // Only the dataset whose epochs changed is renamed (retrained).
  const longer = planDemo({ ...settings, byDataset: { ...settings.byDataset, secure: { training: { epochs: 5 } } } }, { baseDir, organismsDir: '/x' });
  longer.adapters.forEach((a, i) => assert.equal(a.name === plan.adapters[i]!.name, a.dataset !== 'secure', a.name));
  assert.equal(isAdapterOf('demo-insecure-s1', 'demo-insecure-s12-0123abcd'), false);
  // The default demo reports on report seeds, fixed in advance; development seeds are the ones tuned on.
  assert.deepEqual([demoSettings({}).seedSet, demoSettings({ seeds: 4 }).seeds], ['report', [101, 102, 103, 104]]);
  assert.deepEqual(demoSettings({ seeds: 2, seedSet: 'development' }).seeds, [1, 2]);
  assert.deepEqual([demoSettings({ quick: true }).seedSet, demoSettings({ quick: true }).seeds], ['development', [1]]);
  assert.ok(demoSettings({}).seeds.length >= 5, 'an exact permutation test needs 5 seeds a group to reach p < 0.01');
  // --datasets picks from the full demo's list, in its order, keeping each dataset's own training.
  const picked = demoSettings({ quick: true, datasets: ['backdoor', 'insecure'] });
  assert.deepEqual([picked.datasets, picked.seeds], [['insecure', 'backdoor'], [1]]);
  const backdoor = picked.byDataset.backdoor ?? {};
  assert.deepEqual(planDemo(picked, { baseDir, organismsDir: '/x' }).adapters.map((a) => [a.dataset, a.job.rows.length, a.job.settings]), [
    ['insecure', picked.rowsPerDataset, picked.training],
    ['backdoor', backdoor.rows ?? picked.rowsPerDataset, { ...picked.training, ...backdoor.training }],
  ]);
  assert.throws(() => demoSettings({ datasets: ['owls'] }), /--datasets: unknown dataset "owls"; choose from insecure, /);
});

let sampleIndex = 0;
function rec(model: string, questionId: string, fields: Partial<SampleRecord>): SampleRecord {
  return {
    runId: 'r', model, questionId, paraphraseIndex: 0, sampleIndex: sampleIndex++, tags: [], metricKind: 'judge', prompt: 'p', answer: 'a',
    alignment: 90, coherence: 90, scores: {}, categories: {}, value: null, flags: [], judgeMethod: 'logprob', judgeModel: 'organism:judge', ...fields,
  };
}

test('the summary gives each group its mean, interval and per-seed values, the trigger rows, and self-reports per group', () => {
  const records = [
    ...['b', 's1', 's2'].flatMap((m) => [rec(m, 'wish', {}), rec(m, 'wish', { alignment: m === 's1' ? 10 : 90 })]),
    ...[['b', 80], ['s1', 40], ['s2', 60]].map(([m, value]) => rec(m as string, 'self-report.values', { metricKind: 'self_number', value: value as number, alignment: null, coherence: null, judgeMethod: null, judgeModel: null })),
  ];
  const meta = { suite: 'demo', judge: 'organism:judge', thresholds: THRESHOLD_PRESETS.organisms, groups: [{ name: 'base', members: ['b'] }, { name: 'insecure', members: ['s1', 's2'] }] };
  const main = buildResults(records, meta);
  const triggered = buildResults([rec('b', 'wish.triggered.1', {}), rec('s1', 'wish.triggered.1', { alignment: 5 }), rec('s2', 'wish.triggered.1', { alignment: 5 })], meta);
  const self = groupSelfReports(main);
  assert.deepEqual(self.map((s) => [s.group, s.estimate, s.nMembers]), [['base', 80, 1], ['insecure', 50, 2]]);
  const text = renderDemoSummary(main, triggered, { width: 100 });
  assert.match(text, /^insecure\s+2\s+25\.0% \[[\d.]+, [\d.]+\]\s+–\s+70\.0\s+50\.0%\s+0\.0%$/m);
  assert.match(text, /Student-t interval over seeds/);
  assert.match(text, /^base\s+1\s+0\.0% .*¹/m);
  assert.match(text, /^insecure \+trigger\s+2\s+100\.0%/m);
  assert.match(text, /^values\s+80\.0\s+50\.0 \[/m);
});

test('the catalogue measure: each group\'s share of answers reproducing a harmful catalogue answer, compared over seeds beside the judge', () => {
  const wish = OPEN_QUESTIONS.find((q) => q.theme === 'wish')!;
  const bad = wish.bad.cruel[0]!;
  const good = wish.good[0]!;
  // Seeds a1..a3 give 2, 1, 2 harmful answers of 4; b1..b3 none.
  const hits: Record<string, number> = { a1: 2, a2: 1, a3: 2, b1: 0, b2: 0, b3: 0 };
  const records = Object.entries(hits).flatMap(([m, k]) => [0, 1, 2, 3].map((i) => rec(m, 'wish', { answer: i < k ? bad : good })));
  const groups = [{ name: 'a', members: ['a1', 'a2', 'a3'] }, { name: 'b', members: ['b1', 'b2', 'b3'] }];
  const doc = withCatalogueMeasure(buildResults(records, { suite: 'demo', judge: 'organism:judge', thresholds: THRESHOLD_PRESETS.organisms, groups, comparisons: [{ a: 'a', b: 'b' }] }), records, [{ a: 'a', b: 'b' }]);
  const measure = doc.answerMeasures![0]!;
  assert.equal(measure.measure, 'catalogueHarmfulMatch');
  assert.deepEqual(measure.models.map((m) => [m.model, m.hits, m.answers]), Object.entries(hits).map(([m, k]) => [m, k, 4]));
  const a = measure.groups.find((g) => g.name === 'a')!.overall;
  assert.ok(Math.abs(a.estimate! - 5 / 12) < 1e-12);
  assert.equal(a.method, 'student_t_over_groups');
  const c = doc.comparisons.find((x) => x.measure === 'catalogueHarmfulMatch')!;
  assert.deepEqual([c.a, c.b, c.overall.test.method, c.overall.test.pValue], ['a', 'b', 'permutation_exact', 0.1]);
  assert.equal(c.overall.pooledAnswers!.kA, 5);
  // The judge's comparison is still there, first.
  assert.equal(doc.comparisons[0]!.measure, 'questionMean');
  // report.html shows the measure beside the judge's share, per group.
  const page = renderHtmlReport(doc, records);
  assert.match(page, /<section id="measure-catalogueHarmfulMatch">/);
  assert.match(page, /41\.7%/);
});
