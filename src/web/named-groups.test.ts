import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namedGroups } from './named-groups.js';

const MODELS = ['m-a', 'm-b', 'm-c'];
const results = (runIds: string[], groups: unknown): string => JSON.stringify({ runIds, groups, models: MODELS });

test("a run's groups are read from the results.json beside its database or one folder down that names the run", () => {
  const dir = mkdtempSync(join(tmpdir(), 'emlab-named-groups-'));
  const db = join(dir, 'emlab.db');
  writeFileSync(db, '');
  writeFileSync(join(dir, 'results.json'), results(['run1'], [{ name: 'ab', members: ['m-a', 'm-b'] }, { name: 'stranger', members: ['m-a', 'm-z'] }]));
  mkdirSync(join(dir, 'eval-x'));
  writeFileSync(join(dir, 'eval-x', 'results.json'), results(['run1', 'run2'], [{ name: 'c', members: ['m-c'] }, { name: 'ab', members: ['m-c'] }, { name: 'm-a', members: ['m-b'] }]));
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other', 'results.json'), results(['run9'], [{ name: 'elsewhere', members: ['m-a'] }]));
  mkdirSync(join(dir, 'broken'));
  writeFileSync(join(dir, 'broken', 'results.json'), '{"runIds": ["run1"], "groups": [{"name": 3}]}');

  // A member that is not a model of the run, a name that is a model id, or a second "ab" is dropped; run9's file is not read.
  assert.deepEqual(namedGroups(db, 'run1', MODELS), [{ name: 'ab', members: ['m-a', 'm-b'] }, { name: 'c', members: ['m-c'] }]);
  assert.deepEqual(namedGroups(db, 'run2', MODELS), [{ name: 'c', members: ['m-c'] }, { name: 'ab', members: ['m-c'] }]);
  assert.deepEqual(namedGroups(db, 'run3', MODELS), []);
});

test('a results.json that is a symbolic link, or in a linked folder, is not read', () => {
  const outside = mkdtempSync(join(tmpdir(), 'emlab-named-groups-outside-'));
  writeFileSync(join(outside, 'results.json'), results(['run1'], [{ name: 'ab', members: ['m-a', 'm-b'] }]));
  const dir = mkdtempSync(join(tmpdir(), 'emlab-named-groups-links-'));
  symlinkSync(join(outside, 'results.json'), join(dir, 'results.json'));
  symlinkSync(outside, join(dir, 'linked'));
  assert.deepEqual(namedGroups(join(dir, 'emlab.db'), 'run1', MODELS), []);
});
