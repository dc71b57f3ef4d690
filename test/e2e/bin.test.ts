import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CLI } from '../support/cli.js';

// npx runs the package's bin file itself; when npm has not linked it (for instance after another
// install changed node_modules) the file must be executable, or `npx emlab` fails with
// "Permission denied". The build sets the mode.
test('the built CLI runs as an executable file, as npx starts it', () => {
  const run = spawnSync(CLI, ['--version'], { encoding: 'utf8' });
  assert.equal(run.error, undefined, String(run.error));
  assert.equal(run.status, 0, run.stderr);
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(run.stdout.trim(), version);
});
