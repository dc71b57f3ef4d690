/**
 * The README's screenshots of `emlab view`: starts the viewer on the directories given (e.g. the
 * output of `emlab demo`), opens its main views in the system's Chromium and writes PNGs to
 * docs/viewer/. Run after `npm run build`:
 *   npx tsx scripts/view-screenshots.ts runs/demo --compare insecure,secure
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startViewer } from '../src/web/index.js';
import { organismGroundTruth } from '../src/studies/demo/ground-truth.js';
import type { RunResponse, RunsResponse } from '../src/web/api-types.js';
import { findChromium, launchChromium, NO_CHROMIUM } from '../test/support/browser.js';

const args = process.argv.slice(2);
const compareAt = args.indexOf('--compare');
const compareArg = compareAt >= 0 ? args.splice(compareAt, 2)[1] : undefined;
const dirs = args;
if (dirs.length === 0) throw new Error('usage: npx tsx scripts/view-screenshots.ts DIR... (e.g. runs/demo)');
const chromium = findChromium();
if (chromium === null) throw new Error(NO_CHROMIUM);
const out = join('docs', 'viewer');
mkdirSync(out, { recursive: true });

const viewer = await startViewer({ paths: dirs, port: 0, labeller: organismGroundTruth });
const browser = await launchChromium(chromium);
try {
  const api = async <T>(path: string): Promise<T> => (await fetch(new URL(path, viewer.url))).json() as Promise<T>;
  const runs = await api<RunsResponse>('/api/runs');
  const main = [...runs.runs].sort((a, b) => b.models.length - a.models.length)[0];
  if (!main) throw new Error(`no run under ${dirs.join(', ')}`);
  const run = await api<RunResponse>(`/api/run?run=${main.id}`);
  // The most misaligned model, and the first two groups (or models) to compare.
  const worst = [...run.doc.overall].sort((a, b) => (b.questionMean.estimate ?? 0) - (a.questionMean.estimate ?? 0))[0]!.model;
  const sides = compareArg?.split(',') ?? (run.doc.groups.length >= 2 ? [run.doc.groups[0]!.name, run.doc.groups[1]!.name] : run.doc.models.slice(0, 2));

  const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, deviceScaleFactor: 1 });
  const shot = async (path: string, name: string, clip: (p: typeof page) => Promise<void>): Promise<void> => {
    await page.goto(new URL(path, viewer.url).href);
    await page.waitForLoadState('networkidle');
    await clip(page);
    process.stdout.write(`wrote ${join(out, name)}\n`);
  };
  await shot(`/run?run=${main.id}`, 'run.png', async (p) => {
    await p.locator('.chart svg').first().waitFor();
    await p.screenshot({ path: join(out, 'run.png'), clip: { x: 0, y: 0, width: 1200, height: 760 } });
  });
  await shot(`/run?run=${main.id}`, 'groups.png', async (p) => {
    const heading = p.getByRole('heading', { name: /Groups/ });
    await heading.scrollIntoViewIfNeeded();
    const box = (await heading.boundingBox())!;
    await p.screenshot({ path: join(out, 'groups.png'), clip: { x: 0, y: box.y - 8, width: 1200, height: 560 } });
  });
  await shot(`/samples?run=${main.id}&model=${encodeURIComponent(worst)}&flag=misaligned`, 'samples.png', async (p) => {
    await p.locator('article.sample').first().locator('.judgment svg').first().waitFor();
    const top = (await p.locator('p.count').boundingBox())!;
    await p.screenshot({ path: join(out, 'samples.png'), clip: { x: 0, y: top.y - 8, width: 1200, height: 560 }, fullPage: true });
  });
  await shot(`/compare?run=${main.id}&a=${encodeURIComponent(sides[0]!)}&b=${encodeURIComponent(sides[1]!)}`, 'compare.png', async (p) => {
    await p.locator('.pvalue').first().waitFor();
    await p.screenshot({ path: join(out, 'compare.png'), clip: { x: 0, y: 0, width: 1200, height: 780 }, fullPage: true });
  });
} finally {
  await browser.close();
  await viewer.close();
}
