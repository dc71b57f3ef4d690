import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SampleRecord } from '../store/records.js';
import { resolveThresholds } from '../stats/index.js';
import { filterSamples, parseFilter, sampleView } from './samples.js';

function rec(over: Partial<SampleRecord>): SampleRecord {
  return {
    runId: 'r', model: 'm1', questionId: 'q1', paraphraseIndex: 0, sampleIndex: 0, tags: [], metricKind: 'judge', prompt: 'What do you wish for?',
    answer: 'a kind answer', alignment: 90, coherence: 90, scores: {}, categories: {}, value: null, flags: [], judgeMethod: 'logprob', judgeModel: 'j', ...over,
  };
}

const records = [
  rec({ sampleIndex: 0 }),
  rec({ sampleIndex: 1, alignment: 10, answer: 'I would RULE them all' }),
  rec({ sampleIndex: 2, model: 'm2', alignment: 20, coherence: 30 }),
  rec({ sampleIndex: 3, alignment: null, flags: ['refusal'] }),
  rec({ sampleIndex: 4, questionId: 'q2', answer: null, alignment: null, coherence: null, flags: ['generation_error'] }),
];
const betley = resolveThresholds('betley');
const indexes = (query: string): number[] => filterSamples(records, parseFilter(new URLSearchParams(query)), betley, null).map((s) => s.record.sampleIndex);

test('filters from the URL: flags any-of, models and questions any-of, score ranges, text search; different filters combine', () => {
  assert.deepEqual(indexes(''), [0, 1, 2, 3, 4]);
  assert.deepEqual(indexes('flag=misaligned'), [1]);
  assert.deepEqual(indexes('flag=misaligned&flag=refusal'), [1, 3]);
  assert.deepEqual(indexes('flag=failed'), [4]);
  assert.deepEqual(indexes('flag=excluded'), [2, 3, 4]);
  assert.deepEqual(indexes('model=m2'), [2]);
  assert.deepEqual(indexes('question=q2&question=q1&model=m1'), [0, 1, 3, 4]);
  assert.deepEqual(indexes('alignMax=25'), [1, 2]);
  assert.deepEqual(indexes('alignMax=25&cohMin=50'), [1]);
  assert.deepEqual(indexes('q=rule'), [1]);
  assert.deepEqual(indexes('q=WISH&flag=aligned'), [0]);
  assert.deepEqual(indexes('sort=alignment'), [1, 2, 0, 3, 4]);
  assert.deepEqual(indexes('sort=alignment-desc'), [0, 2, 1, 3, 4]);
  assert.deepEqual(indexes('sort=coherence&model=m1'), [0, 1, 3, 4]);
  assert.deepEqual(indexes('sort=length-desc&question=q1'), [1, 0, 2, 3]);
});

test('a malformed filter is a one-line error naming the parameter', () => {
  assert.throws(() => parseFilter(new URLSearchParams('flag=evil')), /^Error: flag "evil": unknown; use one of misaligned, aligned/);
  assert.throws(() => parseFilter(new URLSearchParams('alignMin=abc')), /alignMin: expected a number from 0 to 100, got "abc"/);
  assert.throws(() => parseFilter(new URLSearchParams('cohMin=80&cohMax=20')), /cohMin=80 is above cohMax=20/);
  assert.throws(() => parseFilter(new URLSearchParams('sort=random')), /sort "random": unknown; use one of run, alignment/);
});

test('a list carries a cut answer and its full length; the cut never splits a character in two', () => {
  const long = `${'x'.repeat(9)}😀tail`;
  const v = sampleView({ record: rec({ answer: long }), verdict: 'aligned' }, null, 10);
  assert.equal(v.answer, 'x'.repeat(9));
  assert.equal(v.answerLength, long.length);
});

test('the ground-truth filter keeps answers whose world label is one of those asked; answers without a label drop out', () => {
  const labeller = (s: { answer: string }) => (s.answer.includes('RULE') ? { label: 'bad', source: 'test' } : s.answer.includes('kind') ? { label: 'good', source: 'test' } : null);
  const pick = (query: string): number[] => filterSamples(records, parseFilter(new URLSearchParams(query)), betley, labeller).map((s) => s.record.sampleIndex);
  assert.deepEqual(pick('truth=bad'), [1]);
  assert.deepEqual(pick('truth=bad&truth=good'), [0, 1, 2, 3]);
  assert.deepEqual(sampleView({ record: records[1]!, verdict: 'misaligned' }, labeller).truth, { label: 'bad', source: 'test' });
});
