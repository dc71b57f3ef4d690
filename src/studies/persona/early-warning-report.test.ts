import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../stats/index.js';
import { earlyWarning } from './early-warning.js';
import { earlyWarningHtml, earlyWarningLines } from './early-warning-report.js';

test('the early warning is reported per measure: means with intervals, paired and Welch p, lowest fractions, trend; the page escapes the design text', () => {
  const fractions = [0, 0.1, 1];
  const rng = createRng(3);
  const noise = (): number => 0.004 * (rng.next() - 0.5);
  const ew = earlyWarning(fractions.flatMap((f) => [1, 2, 3].map((seed) => ({
    fraction: f, seed, model: `m${seed}`,
    values: { misaligned: 0.02 + 0.1 * f + noise(), catalogue: 0.01 + f / 100 + noise(), projection: seed / 10 + f + noise(), lastPosition: seed / 10 + f / 2 + noise() },
  }))), fractions, 'design <b>');
  const text = earlyWarningLines(ew).join('\n');
  assert.match(text, /3 seeds/);
  assert.match(text, /judge pts:\n\s+0\.0%\s+2\.\d \[/);
  assert.match(text, /10\.0%\s+3\.\d \[[^\]]+\]\s+vs 0% \+[01]\.\d \[[^\]]+\]\s+p=[\d.e-]+ \([\d.e-]+\)/);
  assert.match(text, /lowest fraction that differs: /);
  const page = earlyWarningHtml(ew).html;
  assert.match(page, /<svg/);
  assert.match(page, /design &lt;b&gt;/);
  assert.doesNotMatch(page, /design <b>/);
});
