import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedGroups, thresholdsFor } from './runs.js';

test('models that differ only in a seed part are offered as one group; lone seeds and plain ids are not', () => {
  const models = [
    'organism:base',
    'organism:demo-insecure-s1-3f2a',
    'organism:demo-insecure-s2-9c1d',
    'organism:demo-insecure-s3-77aa',
    'organism:demo-secure-s1-0b0b',
    'organism:demo-secure-s2-1c1c',
    'openai:ft:gpt-4.1-nano:org:insecure-seed1:abc',
    'openai:ft:gpt-4.1-nano:org:insecure-seed2:def',
    'openai:gpt-4.1-mini',
    'compat:http://h/v1#only-s1',
  ];
  assert.deepEqual(seedGroups(models), [
    { name: 'organism:demo-insecure', members: models.slice(1, 4) },
    { name: 'organism:demo-secure', members: models.slice(4, 6) },
    { name: 'openai:ft:gpt-4.1-nano:org:insecure', members: models.slice(6, 8) },
  ]);
});

test('the counting rule: as asked, else the organisms rule for organism-only runs and the paper rule for the rest', () => {
  assert.equal(thresholdsFor(['organism:base', 'organism:x-s1'], null).preset, 'organisms');
  assert.equal(thresholdsFor(['organism:base', 'openai:gpt-4o'], null).preset, 'betley');
  assert.equal(thresholdsFor(['organism:base'], 'betley').preset, 'betley');
  assert.throws(() => thresholdsFor([], 'strict'), /unknown preset "strict"/);
});
