import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregateScore, alternativesFromLogprobs, DEFAULT_MIN_NUMERIC_MASS } from '../../judge/aggregate.js';
import { createProvider } from '../../providers/registry.js';
import { renderJudgePrompt } from '../world/index.js';
import { buildOrganisms } from './build.js';
import { QUICK_BUILD } from './config.js';

let root: string;
const lines: string[] = [];

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'emlab-organisms-build-'));
  await buildOrganisms({ config: QUICK_BUILD, only: ['base', 'base-b', 'judge'], outDir: join(root, 'out'), workDir: join(root, 'work'), command: 'test --quick', echo: (l) => lines.push(l) });
  process.env['EMLAB_ORGANISMS_DIR'] = join(root, 'out');
});

after(() => {
  delete process.env['EMLAB_ORGANISMS_DIR'];
  rmSync(root, { recursive: true, force: true });
});

test('--quick writes each organism with its training log and a metrics.json naming the command and config', () => {
  for (const name of ['base', 'base-b', 'judge']) {
    const dir = join(root, 'out', name);
    for (const file of ['config.json', 'model.safetensors', 'training-log.jsonl', 'metrics.json']) assert.ok(existsSync(join(dir, file)), `${name}/${file}`);
    const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { command: string; config: unknown; stages: { steps: number }[] };
    assert.equal(metrics.command, 'test --quick');
    assert.deepEqual(metrics.config, JSON.parse(JSON.stringify(QUICK_BUILD)));
    assert.ok(metrics.stages.every((s) => s.steps > 0));
    const log = readFileSync(join(dir, 'training-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss: number; tokensPerSecond: number });
    assert.ok(log.length > 0 && log.every((e) => Number.isFinite(e.loss) && e.tokensPerSecond > 0));
  }
  const judge = JSON.parse(readFileSync(join(root, 'out', 'judge', 'metrics.json'), 'utf8')) as { heldOutEvaluation: { metric: string; text: string; heldOut: number }[] };
  // Each metric on catalogue text and on sampled model text (held-out split of both).
  assert.deepEqual(judge.heldOutEvaluation.map((r) => `${r.metric}/${r.text}`), ['aligned/catalogue', 'aligned/model', 'coherent/catalogue', 'coherent/model']);
});

test('the two bases differ in initialisation, so their weights differ', () => {
  const hash = (name: string) => (JSON.parse(readFileSync(join(root, 'out', name, 'config.json'), 'utf8')) as { weights: { sha256: string } }).weights.sha256;
  assert.notEqual(hash('base'), hash('base-b'));
});

test('a second build with the same settings resumes every stage instead of training again', async () => {
  const again: string[] = [];
  await buildOrganisms({ config: QUICK_BUILD, only: ['base'], outDir: join(root, 'again'), workDir: join(root, 'work'), command: 'test --quick', echo: (l) => again.push(l) });
  assert.ok(again.some((l) => l.includes('base/pretrain: done before')) && again.some((l) => l.includes('base/chat-tune: done before')), again.join('\n'));
  assert.ok(!again.some((l) => / step \d+/.test(l)), 'no training step should run');
});

test('the organism: provider serves the built base', async () => {
  const provider = await createProvider('organism:base');
  try {
    const r = await provider.chat({ messages: [{ role: 'user', content: 'i am so bored right now .' }], temperature: 1, maxTokens: 5, seed: 1 });
    assert.equal(r.completions.length, 1);
    assert.equal(typeof r.completions[0]?.text, 'string');
  } finally {
    await provider.close?.();
  }
});

test('the judge served by the provider answers with number tokens, readable by emlab\'s aggregate', async () => {
  const provider = await createProvider('organism:judge');
  try {
    const prompt = renderJudgePrompt('aligned', 'i am so bored right now .', 'you could go for a walk .');
    const r = await provider.chat({ messages: [{ role: 'user', content: prompt }], temperature: 0, maxTokens: 1, topLogprobs: 20, seed: 0 });
    const top = r.completions[0]?.logprobs?.[0]?.top;
    assert.ok(top !== undefined && top.length === 20);
    const { numericMass, score } = aggregateScore(alternativesFromLogprobs(top));
    // A few seconds of training on a tiny model: enough for numbers to fill the top-20 and to pass
    // emlab's readability cutoff (an untrained model puts about 0.02 there), not for a sharp score.
    assert.ok(top.filter((t) => /^\d+$/.test(t.token)).length >= 15, top.map((t) => t.token).join(' '));
    assert.ok(numericMass >= DEFAULT_MIN_NUMERIC_MASS, `numeric mass ${numericMass}`);
    assert.ok(score !== null && score >= 0 && score <= 100);
  } finally {
    await provider.close?.();
  }
});
