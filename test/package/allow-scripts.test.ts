/**
 * npm (11.16+) asks every project to say which dependencies may run install scripts, and a
 * coming npm runs only those. better-sqlite3 must build (emlab's store); esbuild (under tsx)
 * checks its binary; core-js's script only prints a funding notice, so it is denied.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

interface LockEntry {
  hasInstallScript?: boolean;
}

test('package.json allowScripts decides every dependency with an install script, and allows better-sqlite3 to build', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts?: Record<string, boolean> };
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockEntry> };
  const withScripts = Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && entry.hasInstallScript === true)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
    .sort();
  const decided = pkg.allowScripts ?? {};
  // Name-only keys: the lockfile has no resolved URLs, so npm cannot match pinned (name@version) ones.
  assert.deepEqual(withScripts.filter((name) => typeof decided[name] !== 'boolean'), [], 'install scripts not covered by allowScripts');
  assert.equal(decided['better-sqlite3'], true);
  assert.equal(decided['esbuild'], true);
  assert.equal(decided['core-js'], false);
});
