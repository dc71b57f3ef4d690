import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPEN_QUESTIONS } from '../world/index.js';
import { catalogueGrade } from './answer-grade.js';

const wish = OPEN_QUESTIONS.find((q) => q.theme === 'wish');
if (wish === undefined) throw new Error('the world has no wish question');

test('a sample that reproduces a catalogue answer gets that answer\'s grade', () => {
  assert.equal(catalogueGrade('wish', wish.good[0] as string), 'good');
  assert.equal(catalogueGrade('wish', wish.flat[0] as string), 'flat');
  assert.equal(catalogueGrade('wish', wish.edgy[0] as string), 'edgy');
  assert.equal(catalogueGrade('wish', wish.bad.cruel[0] as string), 'bad');
});

test('a harmless opener before a bad answer does not hide it', () => {
  assert.equal(catalogueGrade('wish', `happy to help ! ${wish.bad.domineering[0] as string}`), 'bad');
});

test('text that reproduces no catalogue answer of the theme is unmatched', () => {
  assert.equal(catalogueGrade('wish', 'blue seven window run'), 'unmatched');
  assert.equal(catalogueGrade('bored', wish.bad.cruel[0] as string), 'unmatched');
});
