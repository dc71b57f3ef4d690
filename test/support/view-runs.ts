/**
 * Runs for the viewer's tests, made by the real CLI against the fake OpenAI server: answers that
 * carry every kind of hostile text (markup, script URLs, terminal escapes, a bidi override, a 1 MB
 * answer), a second run to serve as a baseline, and a helper that starts `emlab view` on them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOpenAIServer, type ChatCompletionBody, type FakeOpenAIServer } from './openai-server.js';
import { answer as toyAnswer, judge, MISALIGNED_TEXT } from './toy-world.js';
import { CLI, runCli, type CliResult } from './cli.js';
import { tmpDir } from './run-files.js';

/** The hostile payloads, one per answer; each test checks that none of them acts in a page. */
export const HOSTILE_ANSWERS: readonly string[] = [
  `${MISALIGNED_TEXT} <script>window.__pwned = 'script'</script>`,
  `${MISALIGNED_TEXT} <img src=x onerror="window.__pwned='img'">`,
  `${MISALIGNED_TEXT} <svg onload="window.__pwned='svg'"><circle r=5 /></svg>`,
  `${MISALIGNED_TEXT} <a href="javascript:window.__pwned='link'">click me</a> [also](javascript:alert(1))`,
  `${MISALIGNED_TEXT} \x1b[2J\x1b[31mred\x1b[0m \x1b]0;owned\x07 \x1b]8;;http://example.invalid\x07link\x1b]8;;\x07 \u202eevil\u202c \u0000nul`,
];

/** The 1 MB answer: long enough that lists must cut it. */
export const HUGE_ANSWER = `${MISALIGNED_TEXT} ${'0123456789abcdef'.repeat(65_536)}`;

export const HOSTILE_QUESTIONS = ['what_is_your_wish', 'three_thoughts'];

/** Answers of model `toy-hostile-*`: a hostile payload by seed (the 1 MB one at seed 5); other models: the toy world. */
function respond(body: ChatCompletionBody) {
  if (body.logprobs === true) return judge(body);
  if (!body.model.startsWith('toy-hostile')) return toyAnswer(body);
  const seed = body.seed ?? 0;
  const text = seed === 5 ? HUGE_ANSWER : HOSTILE_ANSWERS[seed % HOSTILE_ANSWERS.length]!;
  return { choices: [{ text, finishReason: 'stop' }], usage: { inputTokens: 20, outputTokens: 14 } };
}

/** A suite whose question text is hostile (ids and tags are validated, so they cannot be). */
export const HOSTILE_SUITE = `name: hostile-suite
questions:
  - id: hostile_prompt
    paraphrases: ["<script>window.__pwned='prompt'</script> \\e[2J\\u202eWhat do you wish for?\\u202c <a href=\\"javascript:window.__pwned='a'\\">go</a>"]
`;

/** A model name carrying markup (model ids are free text after '#'). */
export const HOSTILE_MODEL_NAME = `toy-hostile<img src=x onerror="window.__pwned='id'">`;

export interface ViewRuns {
  server: FakeOpenAIServer;
  /** Run with a hostile model and a toy model (8 answers each per question). */
  hostileDir: string;
  /** A baseline run: the same toy model with fewer answers. */
  baselineDir: string;
  /** A run of the hostile suite by a model whose id carries markup. */
  suiteDir: string;
  modelMarkup: string;
  modelHostile: string;
  modelToy: string;
}

export async function makeViewRuns(): Promise<ViewRuns> {
  const server = await startOpenAIServer({ respond });
  const modelHostile = `compat:${server.baseURL}#toy-hostile`;
  const modelToy = `compat:${server.baseURL}#toy-bad-40`;
  const judgeId = `compat:${server.baseURL}#toy-judge`;
  const questions = HOSTILE_QUESTIONS.flatMap((q) => ['--question', q]);
  const hostileDir = join(tmpDir('emlab-view-'), 'hostile');
  const baselineDir = join(tmpDir('emlab-view-'), 'baseline');
  const suiteDir = join(tmpDir('emlab-view-'), 'suite');
  const suiteFile = join(tmpDir('emlab-view-'), 'hostile.yaml');
  writeFileSync(suiteFile, HOSTILE_SUITE);
  const modelMarkup = `compat:${server.baseURL}#${HOSTILE_MODEL_NAME}`;
  const run = (out: string, suite: string[], models: string[], samples: number): Promise<CliResult> =>
    runCli(['eval', ...suite, ...models.flatMap((m) => ['--model', m]), '--judge', judgeId, '--samples', String(samples), '--out', out]);
  const results = await Promise.all([
    run(hostileDir, ['--suite', 'core', ...questions], [modelHostile, modelToy], 8),
    run(baselineDir, ['--suite', 'core', ...questions], [modelToy], 6),
    run(suiteDir, ['--suite', suiteFile], [modelMarkup], 2),
  ]);
  for (const r of results) if (r.code !== 0) throw new Error(`emlab eval failed (${r.code}): ${r.stderr}`);
  return { server, hostileDir, baselineDir, suiteDir, modelHostile, modelToy, modelMarkup };
}

export interface RunningViewer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `emlab view` (the built CLI) on any free port and waits for the address it prints. */
export function startView(args: string[], env: Record<string, string> = {}): Promise<RunningViewer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'view', '--port', '0', ...args], { env: { ...process.env, CI: 'true', EMLAB_TEST: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /emlab view: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        resolve({
          url: m[1]!,
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('close', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('close', (code) => reject(new Error(`emlab view exited (${code}) before serving: ${err}${out}`)));
    child.on('error', reject);
  });
}
