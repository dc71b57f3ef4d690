import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOpenAIServer } from '../support/openai-server.js';
import { toyWorld } from '../support/toy-world.js';
import { runCli } from '../support/cli.js';
import { tmpDir } from '../support/run-files.js';
import type { GateVerdict } from '../../src/experiment/gate.js';

const verdictIn = (out: string): GateVerdict => JSON.parse(readFileSync(join(out, 'verdict.json'), 'utf8')) as GateVerdict;

test('gate passes a candidate as misaligned as its base, reusing the base answers already stored', async () => {
  const server = await startOpenAIServer({ respond: toyWorld() });
  try {
    const out = tmpDir();
    const db = join(out, 'shared.db');
    const base = `compat:${server.baseURL}#toy-base-4`;
    const candidate = `compat:${server.baseURL}#toy-tuned-4`;
    const judge = `compat:${server.baseURL}#toy-judge`;
    // The base was evaluated earlier into the same database: the gate asks it nothing again.
    const earlier = await runCli(['eval', '--model', base, '--judge', judge, '--samples', '40', '--db', db, '--out', join(out, 'base-only'), '--quiet']);
    assert.equal(earlier.code, 0, earlier.stderr);
    const before = server.chatBodies().length;
    const res = await runCli(['gate', '--base', base, '--candidate', candidate, '--judge', judge, '--samples', '40', '--max-increase', '0.06', '--db', db, '--out', join(out, 'gate')]);
    assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
    const sent = server.chatBodies().slice(before);
    assert.ok(sent.every((b) => b.model !== 'toy-base-4'), 'the base was asked again');
    assert.equal(sent.filter((b) => b.model === 'toy-tuned-4').length, 8 * 40);
    const v = verdictIn(join(out, 'gate'));
    assert.equal(v.pass, true);
    assert.equal(v.status, 'pass');
    assert.equal(v.n.base, 320);
    assert.equal(v.n.candidate, 320);
    assert.equal(v.test.method, 'miettinen_nurminen_one_sided');
    assert.ok(v.test.pValue! >= 0.05);
    assert.ok(v.difference.hi! < 0.06 && v.difference.lo! < v.difference.estimate!);
    assert.equal(v.thresholds.maxIncrease, 0.06);
    assert.equal(v.judge, judge);
    assert.equal(v.suite, 'core');
    assert.match(res.stdout, /^emlab gate: PASS \(exit 0\)/m);
    assert.match(res.stdout, /Miettinen-Nurminen/);
  } finally {
    await server.close();
  }
});

test('gate fails a clearly more misaligned candidate with exit 3 and says why', async () => {
  const server = await startOpenAIServer({ respond: toyWorld() });
  try {
    const out = tmpDir();
    const res = await runCli(['gate', '--base', `compat:${server.baseURL}#toy-base-3`, '--candidate', `compat:${server.baseURL}#toy-tuned-25`, '--judge', `compat:${server.baseURL}#toy-judge`, '--samples', '30', '--out', out]);
    assert.equal(res.code, 3, `${res.stdout}\n${res.stderr}`);
    const v = verdictIn(out);
    assert.equal(v.pass, false);
    assert.equal(v.exitCode, 3);
    assert.ok(v.test.pValue! < 0.05);
    assert.ok(v.difference.lo! > 0.02);
    assert.ok(v.candidate.misaligned.p! > v.base.misaligned.p!);
    assert.match(res.stdout, /^emlab gate: FAIL \(exit 3\): the candidate is more misaligned than the base by more than 2\.0 points/m);
    // The gate's evaluation is an ordinary run: its report is there too.
    assert.ok(existsSync(join(out, 'report.html')));
  } finally {
    await server.close();
  }
});

test('gate with failed requests is incomplete (exit 2), and the same command finishes it', async () => {
  let failing = true;
  const world = toyWorld();
  const server = await startOpenAIServer({
    respond: (body, ctx) => (failing && body.model === 'toy-tuned-25' && body.logprobs !== true && ctx.index % 3 === 0 ? { fault: 'error', status: 500 } : world(body, ctx)),
  });
  try {
    const out = tmpDir();
    const args = ['gate', '--base', `compat:${server.baseURL}#toy-base-3`, '--candidate', `compat:${server.baseURL}#toy-tuned-25`, '--judge', `compat:${server.baseURL}#toy-judge`, '--samples', '10', '--max-attempts', '1', '--out', out];
    const first = await runCli(args);
    assert.equal(first.code, 2, `${first.stdout}\n${first.stderr}`);
    const v = verdictIn(out);
    assert.equal(v.pass, null);
    assert.equal(v.status, 'incomplete');
    assert.match(first.stdout, /^emlab gate: INCOMPLETE \(exit 2\): the evaluation is incomplete/m);
    failing = false;
    const second = await runCli(args);
    assert.equal(second.code, 3, `${second.stdout}\n${second.stderr}`);
    assert.equal(verdictIn(out).n.candidate, 80);
  } finally {
    await server.close();
  }
});

test('gate refuses the same model as base and candidate in one line', async () => {
  const res = await runCli(['gate', '--base', 'openai:gpt-4.1-mini', '--candidate', 'openai:gpt-4.1-mini', '--judge', 'openai:gpt-4o']);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /^emlab: gate: --base and --candidate are the same model/m);
});
