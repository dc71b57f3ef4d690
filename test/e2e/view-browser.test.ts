/**
 * The viewer's pages in a real browser (the system's Chromium through playwright-core; skipped with
 * a message where none is installed), on runs whose answers are hostile: no script runs, no markup
 * or link comes from an answer, control and bidi characters are written out, the 1 MB answer is cut
 * and can be read whole, every filter lives in the address, and two models are compared with the
 * report's test. One browser for the whole file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { findChromium, launchChromium, NO_CHROMIUM, watchPage, type PageIncidents } from '../support/browser.js';
import { makeViewRuns, startView, HOSTILE_MODEL_NAME, HUGE_ANSWER, type RunningViewer, type ViewRuns } from '../support/view-runs.js';
import type { CompareResponse, RunsResponse } from '../../src/web/api-types.js';
import { formatPValue } from '../../src/report/format.js';
import { startOpenAIServer } from '../support/openai-server.js';
import { toyWorld } from '../support/toy-world.js';
import { runCli } from '../support/cli.js';
import { tmpDir } from '../support/run-files.js';
import { join } from 'node:path';

const chromiumPath = findChromium();
const skip = chromiumPath === null ? NO_CHROMIUM : false;
if (skip) process.stderr.write(`view-browser: ${NO_CHROMIUM}\n`);

let browser: Browser;
let runs: ViewRuns;
let view: RunningViewer;
let runId = '';
let baselineId = '';
let suiteRunId = '';

before(async () => {
  if (skip) return;
  [browser, runs] = await Promise.all([launchChromium(chromiumPath!), makeViewRuns()]);
  view = await startView([runs.hostileDir, runs.baselineDir, runs.suiteDir]);
  const list = (await (await fetch(`${view.url}api/runs`)).json()) as RunsResponse;
  runId = list.runs.find((r) => r.models.length === 2)!.id;
  baselineId = list.runs.find((r) => r.models[0] === runs.modelToy && r.models.length === 1)!.id;
  suiteRunId = list.runs.find((r) => r.models[0] === runs.modelMarkup)!.id;
});

after(async () => {
  if (skip) return;
  await Promise.all([browser?.close(), view?.stop(), runs?.server.close()]);
});

async function open(path: string): Promise<{ page: Page; incidents: PageIncidents }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const incidents = watchPage(page);
  // Content-Security-Policy violations are reported to the page; collect them.
  await page.addInitScript(() => {
    (window as unknown as { __violations: string[] }).__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { __violations: string[] }).__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(new URL(path, view.url).href);
  return { page, incidents };
}

async function assertQuiet(page: Page, incidents: PageIncidents): Promise<void> {
  const state = await page.evaluate(() => ({ pwned: (window as unknown as { __pwned?: string }).__pwned ?? null, violations: (window as unknown as { __violations: string[] }).__violations }));
  assert.equal(state.pwned, null, 'an answer ran script');
  assert.deepEqual(state.violations, [], 'Content-Security-Policy violations');
  assert.deepEqual(incidents.dialogs, [], 'dialogs opened');
  assert.deepEqual(incidents.errors, [], 'errors in the page');
}

const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

test('hostile answers render as inert text: no script, no markup, no link, control and bidi characters written out', { skip }, async () => {
  const { page, incidents } = await open(`/samples?run=${runId}&model=${encodeURIComponent(runs.modelHostile)}&limit=50`);
  await page.locator('article.sample').nth(15).waitFor();
  assert.equal(await page.locator('article.sample').count(), 16);
  // Nothing inside an answer became an element: no image, SVG, script or link.
  assert.equal(await page.locator('pre.answer img, pre.answer svg, pre.answer script, pre.answer a, pre.answer circle').count(), 0);
  assert.equal(await page.locator('a[href^="javascript:" i], [onerror], [onload]').count(), 0);
  assert.equal(await page.locator('script').count(), 1, "only the viewer's own script");
  const text = await page.locator('main').innerText();
  for (const literal of ["<script>window.__pwned = 'script'</script>", '<img src=x onerror=', '<svg onload=', "javascript:window.__pwned='link'"]) {
    assert.ok(text.includes(literal), `the answer text ${literal} is shown as text`);
  }
  assert.doesNotMatch(text, RAW_CONTROL, 'a raw control or bidi character reached the page');
  const escapes = await page.locator('pre.answer .ctl').allInnerTexts();
  for (const e of ['\\u001b', '\\u0007', '\\u202e', '\\u202c', '\\u0000']) assert.ok(escapes.includes(e), `${e} is written out and marked`);
  await page.waitForTimeout(300);
  await assertQuiet(page, incidents);
  await page.close();
});

test('hostile question text and a model id carrying markup are text on every page', { skip }, async () => {
  for (const path of ['/', `/run?run=${suiteRunId}`, `/samples?run=${suiteRunId}`]) {
    const { page, incidents } = await open(path);
    await page.waitForLoadState('networkidle');
    await page.locator('main span.mono', { hasText: HOSTILE_MODEL_NAME }).first().waitFor();
    assert.equal(await page.locator('main img, main a[href^="javascript:" i], main [onerror]').count(), 0, path);
    assert.doesNotMatch(await page.locator('main').innerText(), RAW_CONTROL, path);
    if (path.startsWith('/samples')) {
      const prompt = await page.locator('.prompt').first().innerText();
      assert.ok(prompt.includes("<script>window.__pwned='prompt'</script> \\u001b[2J\\u202eWhat do you wish for?\\u202c <a href="), prompt);
    }
    await assertQuiet(page, incidents);
    await page.close();
  }
});

test('the 1 MB answer is cut in the list and shown whole on demand; each answer shows the judge distribution, and the exact prompt on demand', { skip }, async () => {
  const { page, incidents } = await open(`/samples?run=${runId}&model=${encodeURIComponent(runs.modelHostile)}&question=what_is_your_wish`);
  const card = page.locator('article.sample').filter({ hasText: '#5' });
  await card.waitFor();
  const shown = (await card.locator('pre.answer').textContent())!.length;
  assert.ok(shown < 3000, `the list carries ${shown} characters of the 1 MB answer`);
  await card.getByRole('button', { name: /show the whole answer \(1,048,6\d\d characters/ }).click();
  await page.waitForFunction((n) => [...document.querySelectorAll('pre.answer')].some((p) => (p.textContent?.length ?? 0) === n), HUGE_ANSWER.length);

  const first = page.locator('article.sample').first();
  await first.locator('.judgment .chart svg').nth(1).waitFor();
  assert.equal(await first.locator('.judgment .chart svg').count(), 2, 'a bar chart of the judge probability per metric');
  assert.match(await first.locator('.judgment').first().innerText(), /^aligned 6\.0\nlogprob · numeric mass 1\.000/);
  // The toy judge's alignment distribution: 0.1 on 0, 0.6 on 5, 0.3 on 10.
  assert.deepEqual(await first.locator('.judgment').first().locator('svg title').allTextContents(), ['0: p=0.100', '5: p=0.600', '10: p=0.300']);
  await first.getByRole('button', { name: 'show the judge prompt' }).click();
  await first.locator('.judge-prompt pre.message').nth(1).waitFor();
  const prompts = await first.locator('.judge-prompt').innerText();
  assert.match(prompts, /request for aligned/);
  assert.match(prompts, /request for coherent/);
  assert.ok(prompts.includes("<script>window.__pwned = 'script'</script>"), 'the answer inside the judge prompt is text too');
  await assertQuiet(page, incidents);
  await page.close();
});

test('every filter is in the address: a deep link shows the filtered list, and changing a filter changes the address', { skip }, async () => {
  const { page, incidents } = await open(`/samples?run=${runId}&flag=misaligned&model=${encodeURIComponent(runs.modelToy)}`);
  const api = (await (await fetch(`${view.url}api/samples?run=${runId}&flag=misaligned&model=${encodeURIComponent(runs.modelToy)}`)).json()) as { total: number };
  await page.locator('p.count').waitFor();
  assert.match(await page.locator('p.count').innerText(), new RegExp(`^${api.total} answers match`));
  await page.getByLabel('refusal').check();
  await page.waitForURL(/flag=misaligned&flag=refusal|flag=refusal.*flag=misaligned/);
  await page.locator('input[name="q"]').fill('onerror');
  await page.getByRole('button', { name: 'apply' }).click();
  await page.waitForURL(/q=onerror/);
  // The toy model never says onerror; the filters combine to nothing, and clearing them shows all 32.
  await page.getByText('0 answers match').waitFor();
  await page.getByLabel('order').selectOption('alignment-desc');
  await page.waitForURL(/sort=alignment-desc/);
  await page.getByRole('link', { name: 'clear filters' }).click();
  await page.getByText('32 answers match').waitFor();
  await page.goBack();
  await page.getByText('0 answers match').waitFor();
  await assertQuiet(page, incidents);
  await page.close();
});

test('the run page draws the main figure, the scatter and histograms; compare shows the report test; a baseline run can be chosen', { skip }, async () => {
  const { page, incidents } = await open(`/run?run=${runId}`);
  await page.getByText('Misaligned answers per question').waitFor();
  // 2 questions x 2 models: one dot each in the main figure.
  await page.locator('.chart').first().locator('circle').nth(3).waitFor();
  assert.equal(await page.locator('.chart').first().locator('circle').count(), 4);
  assert.equal(await page.locator('[aria-label="alignment against coherence"] circle').count(), 32);
  assert.ok((await page.locator('[aria-label="histogram of alignment scores"] rect').count()) > 0);
  await page.getByLabel('counting rule', { exact: true }).selectOption('organisms');
  await page.waitForURL(/thresholds=organisms/);
  await page.getByText('[preset: organisms]').waitFor();

  await page.getByLabel('a', { exact: true }).selectOption(runs.modelHostile);
  await page.getByLabel('b', { exact: true }).selectOption(runs.modelToy);
  await page.getByRole('button', { name: 'compare' }).click();
  await page.waitForURL(/\/compare\?/);
  const cmp = (await (await fetch(`${view.url}api/compare?run=${runId}&thresholds=organisms&a=${encodeURIComponent(runs.modelHostile)}&b=${encodeURIComponent(runs.modelToy)}`)).json()) as CompareResponse;
  await page.locator('.pvalue').waitFor();
  assert.equal(await page.locator('.pvalue').innerText(), formatPValue(cmp.comparison.overall.test.pValue));
  assert.equal(await page.locator('.pair').count(), 2);
  assert.equal(await page.locator('.pair .side').count(), 4);

  await page.goBack();
  await page.getByLabel('baseline run').selectOption(baselineId);
  await page.getByLabel('a', { exact: true }).selectOption(runs.modelToy);
  await page.getByRole('button', { name: 'compare' }).click();
  await page.waitForURL(new RegExp(`baseline=${baselineId}`));
  await page.locator('.pvalue').waitFor();
  assert.match(await page.locator('table.sides').innerText(), new RegExp(`@ ${baselineId.slice(0, 8)}`));
  await assertQuiet(page, incidents);
  await page.close();
});

test('a run started while the runs page is open shows up as running, then as complete, without a reload', { skip }, async (t) => {
  // Each reply takes 400 ms, so the run stays in progress for ~10 s: several of the page's 2-second polls see it running.
  const server = await startOpenAIServer({ respond: toyWorld({ delayMs: 400 }) });
  t.after(() => server.close());
  const parent = tmpDir('emlab-view-live-');
  const liveView = await startView([parent]);
  t.after(() => liveView.stop());
  const page = await browser.newPage();
  const incidents = watchPage(page);
  await page.goto(liveView.url);
  await page.getByText('No emlab.db found').waitFor();
  const run = runCli([
    'eval', '--suite', 'core', '--question', 'what_is_your_wish', '--model', `compat:${server.baseURL}#toy-bad-30`,
    '--judge', `compat:${server.baseURL}#toy-judge`, '--samples', '16', '--concurrency', '2', '--judge-concurrency', '2', '--out', join(parent, 'live'),
  ]);
  await page.locator('.status.running').waitFor({ timeout: 20_000 });
  await page.getByText('a run is in progress').waitFor();
  await page.locator('.status.complete').waitFor({ timeout: 60_000 });
  assert.match(await page.locator('table.runs tbody tr').innerText(), /16 \/ 16/);
  assert.equal((await run).code, 0);
  assert.deepEqual(incidents, { dialogs: [], errors: [] });
  await page.close();
});
