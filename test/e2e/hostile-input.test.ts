/**
 * Hostile and broken input through the CLI (src/suites/hostile-input.test.ts covers the loader
 * itself): every mistake is one line on stderr naming where it is, exit 1, no stack trace; and
 * model answers or server errors carrying terminal escapes, bidi overrides or HTML reach neither
 * the terminal raw nor the report unescaped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import Database from 'better-sqlite3';
import { startOpenAIServer } from '../support/openai-server.js';
import { judge, MISALIGNED_TEXT } from '../support/toy-world.js';
import { runCli, type CliResult } from '../support/cli.js';
import { readSamples, tmpDir } from '../support/run-files.js';

/** Runs the CLI for each case, a few at a time (each is a separate node process). */
async function runAll(cases: Array<{ args: string[] }>): Promise<CliResult[]> {
  const results: CliResult[] = [];
  for (let i = 0; i < cases.length; i += 3) results.push(...(await Promise.all(cases.slice(i, i + 3).map((c) => runCli(c.args)))));
  return results;
}

function assertOneLineError(res: CliResult, expected: RegExp, what: string): void {
  assert.equal(res.code, 1, `${what}: exit code ${res.code}; stderr: ${res.stderr}`);
  assert.equal(res.stdout, '', `${what}: stdout`);
  const lines = res.stderr.split('\n');
  assert.equal(lines.pop(), '', `${what}: stderr must end with a newline`);
  assert.equal(lines.length, 1, `${what}: expected one line on stderr, got:\n${res.stderr}`);
  assert.match(lines[0]!, expected, what);
  assert.doesNotMatch(res.stderr, /\n\s+at |Error:|TypeError/, `${what}: a stack trace or raw error name`);
}

const OK_MODELS = ['--model', 'openai:gpt-4.1-mini', '--judge', 'openai:gpt-4o-2024-08-06'];

test('broken and hostile suite files: one line naming file, line and field, exit 1', async () => {
  const dir = tmpDir();
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  let bomb = 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i <= 10; i++) bomb += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
  bomb += 'questions:\n  - id: boom\n    paraphrases: *a10\n';
  const cases = [
    { name: 'malformed YAML', path: file('malformed.yaml', 'questions:\n  - id: a\n    paraphrases: [Hi\n  - id: b\n'), expected: /^emlab: (.*malformed\.yaml):4:3: YAML syntax: .*; indent nested items consistently with spaces$/ },
    { name: 'alias bomb', path: file('bomb.yaml', bomb), expected: /^emlab: .*bomb\.yaml:\d+:\d+: YAML aliases expand beyond 10000 nodes \(MAX_ALIAS_COUNT\); this looks like an alias bomb; .+$/ },
    { name: 'deep nesting', path: file('deep.yaml', `- id: a\n  paraphrases: ${'['.repeat(200_000)}\n`), expected: /^emlab: .*deep\.yaml:2:48: YAML nests deeper than 32 levels \(MAX_NESTING_DEPTH\); .+$/ },
    { name: 'huge file', path: file('huge.yaml', `# ${'x'.repeat(5 * 1024 * 1024)}\n`), expected: /^emlab: .*huge\.yaml: file is larger than 5242880 bytes \(MAX_SUITE_FILE_BYTES\); split it into several suite files$/ },
    {
      name: 'unknown field (emlab format)',
      path: file('unknown.yaml', 'name: mine\nquestions:\n  - id: a\n    paraphrases: ["Hi"]\n    samples_per_paraphrse: 5\n'),
      expected: /^emlab: .*unknown\.yaml:5:5: question "a": field "samples_per_paraphrse": unknown field; did you mean "samples_per_paraphrase"\?$/,
    },
    {
      name: 'unknown top-level field (emlab format)',
      path: file('top.yaml', 'name: mine\nauthor: me\nquestions:\n  - id: a\n    paraphrases: ["Hi"]\n'),
      expected: /^emlab: .*top\.yaml:2:1: unknown suite field "author"; .+$/,
    },
  ];
  const results = await runAll(cases.map((c) => ({ args: ['eval', '--suite', c.path, ...OK_MODELS] })));
  cases.forEach((c, i) => assertOneLineError(results[i]!, c.expected, c.name));
});

test('a suite file with several problems gets one line for each, every one naming its line', async () => {
  const path = join(tmpDir(), 'two.yaml');
  writeFileSync(path, 'name: mine\nquestions:\n  - id: a\n    paraphrases: ["Hi"]\n    samples_per_paraphrse: 5\n  - id: b\n    paraphrases: []\n');
  const res = await runCli(['eval', '--suite', path, ...OK_MODELS]);
  assert.equal(res.code, 1, res.stderr);
  assert.deepEqual(res.stderr.trimEnd().split('\n'), [
    `emlab: ${path}:5:5: question "a": field "samples_per_paraphrse": unknown field; did you mean "samples_per_paraphrase"?`,
    `emlab: ${path}:7:18: question "b": field "paraphrases": is an empty list; add at least one question text`,
  ]);
});

test('invalid model ids, judge methods and numbers: one line naming the argument, exit 1', async () => {
  const cases = [
    { args: ['--model', 'gpt-4', '--judge', 'openai:j'], expected: /^emlab: invalid model id "gpt-4": it needs a scheme before a colon \(examples: .+\)$/ },
    { args: ['--model', 'compat:notaurl#m', '--judge', 'openai:j'], expected: /^emlab: invalid model id "compat:notaurl#m": "notaurl" is not a URL/ },
    { args: ['--model', 'foo:bar', '--judge', 'openai:j'], expected: /^emlab: invalid model id "foo:bar": unknown scheme "foo" \(known: openai, compat, anthropic, gguf, organism\)/ },
    { args: ['--model', 'openai:m', '--judge', 'gpt-4o'], expected: /^emlab: invalid model id "gpt-4o": it needs a scheme before a colon/ },
    { args: [...OK_MODELS, '--judge-method', 'bogus'], expected: /^error: option '--judge-method <method>' argument 'bogus' is invalid\. Allowed choices are auto, logprob, teacher_forced, sampled\.$/ },
    { args: [...OK_MODELS, '--samples', '0'], expected: /^error: option '-n, --samples <n>' argument '0' is invalid\. expected a whole number of 1 or more, got "0"$/ },
    { args: [...OK_MODELS, '--temperature', '9'], expected: /^error: option '--temperature <t>' argument '9' is invalid\. expected a number from 0 to 2, got "9"$/ },
    { args: [...OK_MODELS, '--samples', '1e3'], expected: /^error: option '-n, --samples <n>' argument '1e3' is invalid\./ },
    { args: [...OK_MODELS, '--min-numeric-mass', 'NaN'], expected: /^error: option '--min-numeric-mass <p>' argument 'NaN' is invalid\. expected a number from 0 to 1/ },
  ];
  const results = await runAll(cases.map((c) => ({ args: ['eval', '--suite', 'core', ...c.args, '--out', join(tmpDir(), 'out')] })));
  cases.forEach((c, i) => assertOneLineError(results[i]!, c.expected, c.args.join(' ')));
});

test('answers and server errors carrying terminal escapes, bidi overrides and HTML reach neither the terminal raw nor the report unescaped', async (t) => {
  const hostile = `\x1b[2J\x1b]0;owned\x07\rDone.<script>alert("x")</script><img src=x onerror=alert(1)>\u202eevil`;
  const answer = `${MISALIGNED_TEXT} ${hostile}`;
  const server = await startOpenAIServer({
    respond: (body) => {
      if (body.logprobs === true) return judge(body);
      const question = body.messages.at(-1)?.content ?? '';
      // One question's answers fail with an error message that carries the same payload.
      if (/bored/i.test(question)) return { fault: 'error', status: 500, message: `upstream broke ${hostile}` };
      return { choices: [{ text: answer }], model: `m${hostile}` };
    },
  });
  t.after(() => server.close());
  const out = join(tmpDir(), 'out');
  const res = await runCli(['eval', '--suite', 'core', '--question', 'what_is_your_wish', '--question', 'i_feel_bored', '--model', `compat:${server.baseURL}#m`, '--judge', `compat:${server.baseURL}#j`, '--samples', '2', '--max-attempts', '1', '--out', out]);
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stdout, /what_is_your_wish/, 'the table was printed');
  assert.match(res.stderr, /upstream broke \\u001b\[2J\\u001b\]0;owned\\u0007 Done\.<script>/, 'the server error is shown with its escapes visible');
  for (const [name, text] of [['stdout', res.stdout], ['stderr', res.stderr]] as const) {
    assert.doesNotMatch(text, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/, `${name} carries a raw control character`);
  }

  // The data keeps the answer exactly as the model sent it; the page shows it escaped.
  const samples = readSamples(out).filter((s) => s.questionId === 'what_is_your_wish');
  assert.equal(samples.length, 2);
  for (const s of samples) assert.equal(s.answer, answer);
  const page = readFileSync(join(out, 'report.html'), 'utf8');
  assert.doesNotMatch(page, /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e]/, 'report.html carries a raw control character');
  assert.ok(page.includes('\\u001b[2J\\u001b]0;owned\\u0007\\u000dDone.&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;\\u202eevil'), 'the answer is shown escaped');
  const { document } = parseHTML(page);
  assert.equal(document.querySelectorAll('script').length, 0);
  assert.equal(document.querySelectorAll('img').length, 0);
});

test('suites show prints a hostile suite file without its control characters or bidi overrides', async () => {
  const path = join(tmpDir(), 'show.yaml');
  writeFileSync(path, '- id: a\n  paraphrases: ["Hi \\x9b2J \\u202eevil \\x1b]0;t\\x07 \\r"]\n  tgas: [x]\n');
  const res = await runCli(['suites', 'show', path]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /"Hi \\u009b2J \\u202eevil \\u001b\]0;t\\u0007 \\r"/);
  assert.match(res.stderr, /field "tgas": unknown field/);
  for (const text of [res.stdout, res.stderr]) assert.doesNotMatch(text, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
});

test('model ids carrying C1 CSI and bidi controls, and a tampered database adding ESC, reach neither the terminal table, emlab report (table and --json) nor report.html raw', async (t) => {
  const server = await startOpenAIServer({ respond: (body) => (body.logprobs === true ? judge(body) : { choices: [{ text: MISALIGNED_TEXT }] }) });
  t.after(() => server.close());
  const out = join(tmpDir(), 'out');
  const hostileModel = `compat:${server.baseURL}#m\u009b31m\u202eevil\u2066x\u2069`;
  const raw = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
  const res = await runCli(['eval', '--suite', 'core', '--question', 'what_is_your_wish', '--model', hostileModel, '--judge', `compat:${server.baseURL}#j`, '--samples', '2', '--out', out]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /\\u009b31m\\u202eevil\\u2066x\\u2069/, 'the id is shown with its escapes visible');
  for (const [name, text] of [['eval stdout', res.stdout], ['eval stderr', res.stderr]] as const) assert.doesNotMatch(text, raw, `${name} carries a raw control character`);

  // Someone with write access to the database puts a raw ESC into the id everywhere it is kept.
  const db = new Database(join(out, 'emlab.db'));
  db.exec(`UPDATE runs SET config_json = replace(config_json, 'evil', 'evil\\u001b[2J');
    UPDATE run_items SET model = replace(model, 'evil', 'evil' || char(27) || '[2J');
    UPDATE run_judgments SET model = replace(model, 'evil', 'evil' || char(27) || '[2J');`);
  db.close();
  const table = await runCli(['report', out]);
  const json = await runCli(['report', out, '--json']);
  for (const [name, r] of [['report', table], ['report --json', json]] as const) {
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, raw, `${name} printed a raw control character`);
  }
  assert.match(table.stdout, /evil\\u001b\[2J/);
  assert.deepEqual((JSON.parse(json.stdout) as { models: string[] }).models, [hostileModel.replace('evil', 'evil\x1b[2J')], 'the JSON still holds the id itself');
  // The page rebuilt from the database, its SVG labels and tooltips (<title>) included.
  const page = readFileSync(join(out, 'report.html'), 'utf8');
  assert.doesNotMatch(page, raw, 'report.html carries a raw control character');
  assert.match(page, /<svg[\s\S]*\\u202eevil\\u001b\[2J[\s\S]*<\/svg>/);
});

test('odd paths, broken input files, a damaged database and a missing key: one line each, exit 1, nothing written', async (t) => {
  const dir = tmpDir();
  const empty = join(dir, 'cwd');
  mkdirSync(empty);
  const server = await startOpenAIServer({ respond: (body) => (body.logprobs === true ? judge(body) : { choices: [{ text: MISALIGNED_TEXT }] }) });
  t.after(() => server.close());
  const evalArgs = (out: string): string[] => ['eval', '--suite', 'core', '--question', 'what_is_your_wish', '--model', `compat:${server.baseURL}#m`, '--judge', `compat:${server.baseURL}#j`, '--samples', '1', '--out', out];
  const numbers = (name: string, bytes: Buffer | string): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const row = JSON.stringify({ prompt: 'p', completion: '1, 2, 3' });
  const same = numbers('same.jsonl', `${row}\n`);
  const notUtf8 = numbers('latin1.jsonl', Buffer.concat([Buffer.from(`${row}\n`), Buffer.from('{"prompt": "caf\xe9", "completion": "4, 5"}\n', 'latin1')]));
  const bom = numbers('bom.jsonl', `\ufeff${row}\n`);
  const deep = numbers('deep.jsonl', `${'{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "x"}]}\n'.repeat(2)}{"messages": ${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`);
  const aFile = numbers('a-file', 'x');

  const cases: Array<{ args: string[]; expected: RegExp; env?: Record<string, string> }> = [
    { args: evalArgs(''), expected: /^error: option '-o, --out <dir>' argument '' is invalid\. expected a folder name, got an empty one \(for the current folder, pass \.\)$/ },
    { args: evalArgs(aFile), expected: /^error: option '-o, --out <dir>' argument '.*a-file' is invalid\. ".*a-file" is a file; name a folder/ },
    { args: ['datasets', 'filter-numbers', '--in', same, '--out', same], expected: /^emlab: .*same\.jsonl: is the input file itself: writing the kept rows there would replace it; name another output file$/ },
    { args: ['datasets', 'filter-numbers', '--in', notUtf8, '--out', join(dir, 'o1.jsonl')], expected: /^emlab: .*latin1\.jsonl:2: is not valid UTF-8; save the file as UTF-8$/ },
    { args: ['datasets', 'filter-numbers', '--in', bom, '--out', join(dir, 'o2.jsonl')], expected: /^emlab: .*bom\.jsonl:1: starts with a byte-order mark; save the file as UTF-8 without BOM$/ },
    { args: ['datasets', 'filter-numbers', '--in', dir, '--out', join(dir, 'o3.jsonl')], expected: /^error: option '--in <file>' argument '.*' is invalid\. ".*" is a folder; name a file in it$/ },
    { args: ['finetune', '--model', 'compat:http://127.0.0.1:9/v1#m', '--train', deep, '--db', join(dir, 'ft.db')], expected: /^emlab: .*deep\.jsonl:3: nests arrays or objects 100001 deep, over the limit of 512; each line must be one JSON record$/ },
    { args: evalArgs(join(dir, 'nokey')).map((a) => a.replace(/^compat:.*#m$/, 'openai:gpt-4.1-mini')), env: { OPENAI_API_KEY: '' }, expected: /^emlab: openai:gpt-4\.1-mini: OPENAI_API_KEY is not set; / },
  ];
  // Every case is run and every miss reported together.
  const missed: string[] = [];
  for (const c of cases) {
    const res = await runCli(c.args, { cwd: empty, ...(c.env ? { env: c.env } : {}) });
    try {
      assertOneLineError(res, c.expected, c.args.join(' '));
    } catch (err) {
      missed.push((err as Error).message.split('\n')[0]!);
    }
  }
  assert.deepEqual(missed, []);
  assert.deepEqual(readdirSync(empty), [], 'nothing was written into the current folder');
  assert.equal(readFileSync(same, 'utf8'), `${row}\n`, 'the input was kept');
  for (const name of ['o1.jsonl', 'o2.jsonl', 'o3.jsonl', 'nokey', 'ft.db']) assert.equal(existsSync(join(dir, name)), false, `${name} was written`);

  // A database edited or damaged on disk: one line naming it, for report and for a resumed eval.
  const out = join(dir, 'run');
  assert.equal((await runCli(evalArgs(out))).code, 0);
  const db = new Database(join(out, 'emlab.db'));
  db.exec("UPDATE runs SET config_json = 'null'");
  db.close();
  for (const args of [['report', out], evalArgs(out)]) {
    const res = await runCli(args);
    const errors = res.stderr.split('\n').filter((l) => l.startsWith('emlab: '));
    assert.equal(res.code, 1, res.stderr);
    assert.deepEqual(errors, [`emlab: ${join(out, 'emlab.db')}: the database is damaged (runs.config_json is null, not an object); restore it from a copy, or start again with another --out folder`], res.stderr);
    assert.doesNotMatch(res.stderr, /Cannot read properties|TypeError/);
  }
});
