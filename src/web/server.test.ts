import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENT_SECURITY_POLICY, startViewer } from './server.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with the path sent byte for byte (fetch would normalise `..` away before sending). */
function raw(port: number, path: string, init: { method?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: { host: init.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An app directory with a page, an asset, and links that lead out of it; a secret file beside it. */
function fixture(): { appDir: string; secretPath: string; secret: string; dataDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'emlab-web-'));
  const secret = `secret-${Math.random().toString(36).slice(2)}`;
  const secretPath = join(root, 'secret.txt');
  writeFileSync(secretPath, secret);
  const appDir = join(root, 'app');
  mkdirSync(join(appDir, 'assets'), { recursive: true });
  writeFileSync(join(appDir, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(appDir, 'assets', 'app.js'), 'console.log(1)');
  symlinkSync(secretPath, join(appDir, 'assets', 'link.js'));
  symlinkSync(root, join(appDir, 'up'));
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  return { appDir, secretPath, secret, dataDir };
}

test('no request path reaches a file outside the pages: ../, encoded dots, absolute paths, symbolic links', async (t) => {
  const f = fixture();
  const viewer = await startViewer({ paths: [f.dataDir], port: 0, appDir: f.appDir });
  t.after(() => viewer.close());
  const attempts = [
    '/../secret.txt',
    '/../../../../../../etc/passwd',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%252e%252e/%252e%252e/secret.txt',
    '/..%5c..%5csecret.txt',
    '/assets\\..\\..\\secret.txt',
    `/${f.secretPath}`,
    `//${f.secretPath}`,
    `/${encodeURIComponent(f.secretPath)}`,
    '/assets/link.js',
    '/up/secret.txt',
    '/up/app/index.html',
    '/api/../secret.txt',
    '/secret.txt%00.html',
    '/index.html/../../secret.txt',
    'http://127.0.0.1/../secret.txt',
  ];
  for (const path of attempts) {
    const r = await raw(viewer.port, path);
    assert.ok(r.status === 404 || r.status === 400, `${path}: status ${r.status}`);
    assert.ok(!r.body.includes(f.secret), `${path}: the secret file's content came back`);
    assert.equal(r.headers['content-security-policy'], CONTENT_SECURITY_POLICY, `${path}: no CSP`);
  }
  // Its own files are served, and every page route gets the page.
  assert.equal((await raw(viewer.port, '/assets/app.js')).body, 'console.log(1)');
  for (const route of ['/', '/run?run=x', '/samples?model=a&flag=misaligned', '/compare']) {
    const r = await raw(viewer.port, route);
    assert.equal(r.status, 200, route);
    assert.match(r.body, /<title>page<\/title>/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['x-frame-options'], 'DENY');
  }
});

test('only GET and HEAD, only for Host 127.0.0.1 or localhost on its port: a rebound DNS name is refused', async (t) => {
  const f = fixture();
  const viewer = await startViewer({ paths: [f.dataDir], port: 0, appDir: f.appDir });
  t.after(() => viewer.close());
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    const r = await raw(viewer.port, '/api/runs', { method });
    assert.equal(r.status, 405, method);
    assert.equal(r.headers['allow'], 'GET, HEAD');
  }
  const head = await raw(viewer.port, '/', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  for (const host of ['evil.example', `evil.example:${viewer.port}`, `127.0.0.1:${viewer.port + 1}`, `[::1]:${viewer.port}`]) {
    const r = await raw(viewer.port, '/api/runs', { host });
    assert.equal(r.status, 421, host);
    assert.doesNotMatch(r.body, /sources/);
  }
  assert.equal((await raw(viewer.port, '/api/runs', { host: `localhost:${viewer.port}` })).status, 200);
});

test('the API answers JSON with one-line errors: an empty directory has no runs, an unknown run is a 404', async (t) => {
  const f = fixture();
  const viewer = await startViewer({ paths: [f.dataDir], port: 0, appDir: f.appDir });
  t.after(() => viewer.close());
  assert.deepEqual(JSON.parse((await raw(viewer.port, '/api/runs')).body), { sources: [], runs: [] });
  const missing = await raw(viewer.port, '/api/run?run=nope');
  assert.equal(missing.status, 404);
  assert.deepEqual(JSON.parse(missing.body), { error: 'run nope: not found in the databases this viewer reads' });
  assert.equal((await raw(viewer.port, '/api/run')).status, 400);
  assert.equal((await raw(viewer.port, '/api/nothing')).status, 404);
  assert.match((await raw(viewer.port, '/api/runs')).headers['content-type'] as string, /^application\/json/);
});

test('a viewer without built pages, or given a path that does not exist, fails with one line naming it', async () => {
  const f = fixture();
  await assert.rejects(startViewer({ paths: [f.dataDir], port: 0, appDir: join(f.dataDir, 'none') }), /index\.html: the viewer's pages are missing; run npm run build$/);
  await assert.rejects(startViewer({ paths: [join(f.dataDir, 'nope')], port: 0, appDir: f.appDir }), /nope: no such file or directory; give a results directory/);
});
