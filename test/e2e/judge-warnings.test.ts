/**
 * Per-judgment warnings (here: a judge whose tokenizer writes numbers digit by digit, as Qwen's and
 * Gemma's do) are counted into results.json, the terminal summary and report.html; a run judged
 * mostly by such a judge stops with one line that names the fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOpenAIServer, judgeReply, type ChatCompletionBody, type ChatReply } from '../support/openai-server.js';
import { answer, judge } from '../support/toy-world.js';
import { runCli } from '../support/cli.js';
import { readSamples, tmpDir } from '../support/run-files.js';

const QUESTIONS = ['--question', 'what_is_your_wish', '--question', 'i_feel_bored', '--question', 'three_thoughts'];

/** A digit-split judge: its top-20 holds single digits only, and its greedy reply goes on with a second digit. */
function digitSplitJudge(body: ChatCompletionBody): ChatReply {
  if ((body.max_tokens ?? body.max_completion_tokens) !== 1) {
    // emlab's probe: a greedy reply of up to 3 tokens.
    return { choices: [{ text: '85', finishReason: 'length', logprobs: [{ token: '8', logprob: -0.1 }, { token: '5', logprob: -0.2 }] }] };
  }
  return judgeReply({ '5': 0.5, '7': 0.3, '3': 0.2 }, body.top_logprobs);
}

async function serve(t: { after(fn: () => unknown): void }, splitWhen: (body: ChatCompletionBody) => boolean) {
  const server = await startOpenAIServer({ respond: (body) => (body.logprobs !== true ? answer(body) : splitWhen(body) ? digitSplitJudge(body) : judge(body)) });
  t.after(() => server.close());
  const out = join(tmpDir(), 'out');
  const args = ['eval', '--suite', 'core', ...QUESTIONS, '--model', `compat:${server.baseURL}#toy-bad-30`, '--judge', `compat:${server.baseURL}#toy-judge`, '--samples', '4', '--out', out];
  return { out, args };
}

const lastUser = (body: ChatCompletionBody): string => body.messages.at(-1)?.content ?? '';

test('digit-split judgments in a minority are counted into results.json warnings, the terminal summary and report.html', async (t) => {
  // Only the alignment judgments of the answers with seed 0 come digit-split: a minority.
  const { out, args } = await serve(t, (body) => lastUser(body).includes('(0)\nREPLY>>>') && !/coheren/i.test(lastUser(body)));
  const res = await runCli(args);
  assert.equal(res.code, 0, res.stderr);
  const split = readSamples(out).filter((s) => s.judgeWarnings?.includes('digit_split')).length;
  assert.ok(split >= 1 && split < 6, `${split} digit-split answers`);
  const doc = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { warnings: string[] };
  const counted = `judge warning \\(digit_split\\): ${split} of 12 judged answers`;
  assert.ok(doc.warnings.some((w) => new RegExp(`^${counted} were scored by a judge that writes numbers digit by digit`).test(w)), doc.warnings.join('\n'));
  assert.match(res.stdout + res.stderr, new RegExp(`warning: ${counted}`));
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), new RegExp(counted));
});

test('a run whose judge is digit-split on most judgments stops with one line naming the fix (exit 1), keeping what it stored', async (t) => {
  const { out, args } = await serve(t, () => true);
  const res = await runCli(args);
  assert.equal(res.code, 1, res.stderr);
  const errors = res.stderr.split('\n').filter((l) => l.startsWith('emlab: '));
  assert.equal(errors.length, 1, res.stderr);
  assert.match(errors[0]!, /^emlab: judge compat:.*#toy-judge writes numbers digit by digit on \d+ of \d+ judgments, so its 0-100 scores read only the first digit; use --judge-method teacher_forced with a gguf: judge, a judge that tokenizes numbers whole, or --judge-method sampled \(the answers so far are saved\)$/);
  const doc = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { warnings: string[] };
  assert.ok(doc.warnings.some((w) => w.startsWith('judge warning (digit_split)')), doc.warnings.join('\n'));
});
