import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextJobIndex } from './pool.js';

test('a free worker runs its own seed first, then a seed no other worker holds, then the queue head', () => {
  // Queue by seed: teachers 2 and 3, then the students of seeds 0 and 1.
  const queued = [2, 3, 0, 0, 1, 1];
  assert.equal(nextJobIndex(queued, 0, [1]), 2, 'the worker that trained teacher 0 goes on to its students');
  assert.equal(nextJobIndex(queued, 1, [0]), 4);
  assert.equal(nextJobIndex(queued, 7, [2]), 1, 'a seed the other worker holds is left to it');
  assert.equal(nextJobIndex(queued, undefined, []), 0, 'a fresh pool takes jobs in order');
  assert.equal(nextJobIndex([5, 5], 4, [5]), 0, 'nothing else queued: the head, rather than wait');
});
