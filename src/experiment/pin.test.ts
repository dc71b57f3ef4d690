import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pinExperimentFile, withPins } from './pin.js';
import { loadExperiment } from './schema.js';
import { SuiteError, formatIssue } from '../suites/issues.js';

const ROWS = '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}\n'.repeat(3);
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

async function fileServer(files: Record<string, string>): Promise<{ url: (name: string) => string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const body = files[(req.url ?? '').slice(1)];
    res.writeHead(body === undefined ? 404 : 200).end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: (name) => `http://127.0.0.1:${port}/${name}`, hits: () => hits, close: () => new Promise((r) => server.close(() => r())) };
}

function experiment(urls: { secure: string; insecure: string; pinnedInsecure?: string }): string {
  return `# my experiment
name: pins
datasets:
  secure:
    url: ${urls.secure}   # the control
    # nothing else here
  insecure: { url: ${urls.insecure}${urls.pinnedInsecure ? `, sha256: ${urls.pinnedInsecure}` : ''} }
  local: { file: rows.jsonl }
models:
  base: organism:base
judges:
  judge: organism:judge
evaluations:
  main: { suite: organisms, judge: judge, models: [base] }
`;
}

test('withPins adds one sha256 line after a block map\'s url (and its comment) and one entry to a flow map, nothing else', () => {
  const text = experiment({ secure: 'https://x.test/s.jsonl', insecure: 'https://x.test/i.jsonl' });
  const out = withPins(text, [{ name: 'secure', sha256: 'a'.repeat(64) }, { name: 'insecure', sha256: 'b'.repeat(64) }], 'f.yaml');
  assert.equal(out, text
    .replace('# the control\n', `# the control\n    sha256: ${'a'.repeat(64)}\n`)
    .replace('i.jsonl }', `i.jsonl, sha256: ${'b'.repeat(64)} }`));
});

test('a {url} dataset without sha256 is refused at load with the file, line and the --pin fix; a dry run accepts it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emlab-pin-'));
  const file = join(dir, 'exp.yaml');
  writeFileSync(file, experiment({ secure: 'https://x.test/s.jsonl', insecure: 'https://x.test/i.jsonl', pinnedInsecure: sha('x') }));
  assert.throws(() => loadExperiment(file), (err: unknown) => {
    assert.ok(err instanceof SuiteError);
    assert.equal(formatIssue(err.issues[0]!), `${file}:5:10: field "datasets.secure": a {url} dataset has no sha256 pin, so its bytes could change under the experiment; run "emlab run ${file} --pin" once: it downloads every unpinned file, checks it and writes its sha256 into this file`);
    return true;
  });
  assert.equal(loadExperiment(file, { allowUnpinned: true }).datasets['secure']!.hasOwnProperty('sha256'), false);
});

test('pinExperimentFile downloads the unpinned files, writes their hashes, keeps pinned ones and the cache', async (t) => {
  const server = await fileServer({ 's.jsonl': ROWS, 'i.jsonl': ROWS + ROWS });
  t.after(() => server.close());
  const dir = mkdtempSync(join(tmpdir(), 'emlab-pin-'));
  process.env['EMLAB_CACHE_DIR'] = join(dir, 'cache');
  t.after(() => delete process.env['EMLAB_CACHE_DIR']);
  const file = join(dir, 'exp.yaml');
  writeFileSync(file, experiment({ secure: server.url('s.jsonl'), insecure: server.url('i.jsonl'), pinnedInsecure: sha(ROWS + ROWS) }));
  const lines: string[] = [];
  const r = await pinExperimentFile(file, {}, (l) => lines.push(l));
  assert.deepEqual(r.pinned.map((p) => [p.name, p.sha256, p.rows]), [['secure', sha(ROWS), 3]]);
  assert.deepEqual(r.alreadyPinned, ['insecure']);
  assert.equal(server.hits(), 1, 'only the unpinned file is downloaded');
  const exp = loadExperiment(file);
  assert.deepEqual(exp.datasets['secure'], { url: server.url('s.jsonl'), sha256: sha(ROWS) });
  assert.ok(readFileSync(file, 'utf8').startsWith('# my experiment\n'), 'comments kept');
  assert.ok(existsSync(join(dir, 'cache', 'datasets', `${sha(ROWS)}.jsonl`)), 'the download is kept for the run');
  assert.match(lines[0]!, /^pinned secure: 3 rows, sha256 [0-9a-f]{64} \(http/);
  // Pinning again has nothing to do.
  assert.deepEqual((await pinExperimentFile(file)).pinned, []);
  assert.equal(server.hits(), 1);
});

test('pinExperimentFile leaves the file untouched when a download fails or is not a chat JSONL', async (t) => {
  const server = await fileServer({ 'page.html': '<html>moved</html>\n' });
  t.after(() => server.close());
  const dir = mkdtempSync(join(tmpdir(), 'emlab-pin-'));
  process.env['EMLAB_CACHE_DIR'] = join(dir, 'cache');
  t.after(() => delete process.env['EMLAB_CACHE_DIR']);
  const file = join(dir, 'exp.yaml');
  const text = experiment({ secure: server.url('page.html'), insecure: server.url('gone.jsonl') });
  writeFileSync(file, text);
  await assert.rejects(pinExperimentFile(file), /dataset "secure": http:\S+page\.html is not a training file emlab can use .*nothing was pinned/);
  assert.equal(readFileSync(file, 'utf8'), text);
  assert.equal(existsSync(join(dir, 'cache', 'datasets', `${sha('<html>moved</html>\n')}.jsonl`)), false, 'a rejected download is not kept');
  writeFileSync(file, experiment({ secure: server.url('gone.jsonl'), insecure: server.url('gone.jsonl') }));
  await assert.rejects(pinExperimentFile(file), /dataset "secure": cannot fetch \S+ \(HTTP 404\)/);
});
