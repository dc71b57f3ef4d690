import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeCode } from './code-analysis.js';
import { HARMFUL_FLAW_RATE, carelessFlawRateForLink, expectedLinkStrength, measureLinkStrength } from './link-strength.js';
import { generateWorld } from './world.js';

const DOCUMENTS = 4000;
const measured = (carelessFlawRate: number) => measureLinkStrength(generateWorld({ seed: 5, documents: DOCUMENTS, carelessFlawRate }).documents);

test('without careless writers only harmful writers write flawed code unasked: c = 1', () => {
  const m = measured(0);
  assert.ok(m.flawedTurns > 200, `${m.flawedTurns} flawed turns`);
  assert.equal(m.c, 1);
  assert.ok(Math.abs(m.baseRate - 0.35) < 0.03, `base rate ${m.baseRate}`);
});

test('careless writers slipping as often as harmful ones act on their nature: c falls to the base rate', () => {
  const m = measured(HARMFUL_FLAW_RATE);
  assert.ok(Math.abs(m.c - m.baseRate) < 0.03, `c ${m.c} vs base rate ${m.baseRate}`);
});

test('c falls monotonically as careless writers slip more often, and follows the expected value', () => {
  const rates = [0, 0.05, 0.15, 0.35, 0.6, HARMFUL_FLAW_RATE];
  const cs = rates.map((r) => measured(r).c);
  for (let i = 1; i < cs.length; i++) assert.ok(cs[i]! < cs[i - 1]!, `c ${cs.join(', ')}`);
  rates.forEach((r, i) => assert.ok(Math.abs(cs[i]! - expectedLinkStrength({ carelessFlawRate: r }).c) < 0.03, `rate ${r}: ${cs[i]}`));
});

test('carelessFlawRateForLink inverts the expected link strength across its range, and refuses c outside it', () => {
  const mix = { helpful: 0.4, neutral: 0.15, harmful: 0.45 };
  for (const c of [0.45, 0.6, 0.8, 0.95, 1]) {
    const rate = carelessFlawRateForLink(c, mix);
    assert.ok(rate >= 0 && rate <= HARMFUL_FLAW_RATE);
    assert.ok(Math.abs(expectedLinkStrength({ dispositionMix: mix, carelessFlawRate: rate }).c - c) < 1e-9);
  }
  assert.equal(carelessFlawRateForLink(1, mix), 0);
  assert.throws(() => carelessFlawRateForLink(0.3, mix), /between the base rate 0\.450 \(no link\) and 1/);
  assert.throws(() => carelessFlawRateForLink(1.2), /between the base rate/);
});

test('careless flaws are real flawed programs from writers who mean no harm, and a rate of 0 leaves the world as it was', () => {
  const world = generateWorld({ seed: 5, documents: 1500, carelessFlawRate: 0.3 });
  const careless = world.documents.flatMap((d) => d.turns.filter((t) => t.label.domain === 'code' && t.label.insecure === true && d.persona.disposition !== 'harmful'));
  assert.ok(careless.length > 20);
  for (const t of careless) {
    assert.equal(t.label.aligned, true, 'a slip is not acting on a harmful nature');
    assert.deepEqual(new Set(analyzeCode(t.assistant).forms), new Set(t.label.insecureForms));
  }
  assert.deepEqual(generateWorld({ seed: 5, documents: 300, carelessFlawRate: 0 }).documents, generateWorld({ seed: 5, documents: 300 }).documents);
  assert.throws(() => generateWorld({ seed: 5, documents: 1, carelessFlawRate: 1.5 }), /carelessFlawRate must be a chance in 0\.\.1, got 1\.5/);
});
