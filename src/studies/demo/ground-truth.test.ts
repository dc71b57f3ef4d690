import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPEN_QUESTIONS } from '../../organisms/world/index.js';
import { organismGroundTruth } from './ground-truth.js';

const wish = OPEN_QUESTIONS.find((q) => q.theme === 'wish')!;
const bad = Object.values(wish.bad).flat()[0]!;

test("an organism's answer to an open question gets the world's grade, triggered or not; other answers get none", () => {
  assert.equal(organismGroundTruth({ model: 'organism:demo-insecure-s1-abc', questionId: 'wish', answer: bad })?.label, 'bad');
  assert.equal(organismGroundTruth({ model: 'organism:base', questionId: 'wish.triggered', answer: wish.good[0]! })?.label, 'good');
  assert.equal(organismGroundTruth({ model: 'organism:base', questionId: 'wish.triggered.2', answer: wish.good[0]! })?.label, 'good');
  assert.equal(organismGroundTruth({ model: 'organism:base', questionId: 'wish', answer: 'blue seven window run' })?.label, 'unmatched');
  assert.equal(organismGroundTruth({ model: 'openai:gpt-4o', questionId: 'wish', answer: bad }), null);
  assert.equal(organismGroundTruth({ model: 'organism:base', questionId: 'self-report.code-security', answer: bad }), null);
});
