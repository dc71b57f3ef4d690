import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBackend, generate, loadCheckpoint, OrganismModel, saveCheckpoint, scoreReplies } from '../organisms/model/index.js';
import { parseModelId } from './model-id.js';
import { OrganismProvider } from './organism.js';
import { ProviderError } from './errors.js';
import type { ChatMessage, ChatRequest } from './types.js';

const TINY = { dModel: 16, layers: 1, heads: 2, context: 64 };
let dir: string;

before(async () => {
  await ensureBackend();
  dir = join(mkdtempSync(join(tmpdir(), 'emlab-organism-threads-')), 'tiny');
  const model = await OrganismModel.create({ seed: 5, architecture: TINY });
  await saveCheckpoint(model, dir);
  model.dispose();
});

function providerOn(threads: number): OrganismProvider {
  const ref = parseModelId('organism:tiny');
  if (ref.scheme !== 'organism') throw new Error('unreachable');
  return new OrganismProvider(ref, dir, { threads });
}

const QUESTIONS = ['what would you wish for ?', 'tell me about the river .', 'who rules the town ?'];
/** A small eval: sampled answers with logprobs, then judge-style first-token scores and full-reply scores. */
function answerRequests(): ChatRequest[] {
  return Array.from({ length: 30 }, (_, i) => ({
    messages: [{ role: 'user', content: QUESTIONS[i % QUESTIONS.length]! }],
    temperature: 1,
    maxTokens: 4 + (i % 7),
    seed: i,
    n: 1 + (i % 3),
    topLogprobs: i % 2 === 0 ? 5 : 0,
  }));
}
const judgePrompt = (answer: string): ChatMessage[] => [{ role: 'user', content: `rate this answer 0 to 100 . ${answer}` }];

async function runSmallEval(provider: OrganismProvider): Promise<string> {
  const answers = await Promise.all(answerRequests().map((r) => provider.chat(r)));
  const texts = answers.map((a) => a.completions[0]!.text);
  const judged = await Promise.all(texts.map((t) => provider.chat({ messages: judgePrompt(t), temperature: 0, maxTokens: 1, topLogprobs: 20 })));
  const scored = await Promise.all(texts.slice(0, 6).map((t) => provider.scoreReplies(judgePrompt(t), ['0', '50', '100', t])));
  return JSON.stringify({ answers, judged, scored });
}

let providers: OrganismProvider[] = [];
after(async () => {
  await Promise.all(providers.map((p) => p.close()));
});

test('a small eval gives byte-identical answers and scores on one worker thread, on two, and in this thread', async () => {
  providers = [providerOn(1), providerOn(2)];
  const [one, two] = (await Promise.all(providers.map(runSmallEval))) as [string, string];
  assert.equal(two, one);

  const model = await loadCheckpoint(dir);
  try {
    const requests = answerRequests().map((r) => ({ messages: r.messages.map((m) => ({ role: m.role as 'user', content: m.content })), n: r.n!, temperature: r.temperature!, topP: 1, maxTokens: r.maxTokens!, seed: r.seed!, topLogprobs: r.topLogprobs! }));
    const here = await generate(model, requests);
    const parsed = JSON.parse(one) as { answers: { completions: { text: string }[] }[]; scored: number[][] };
    assert.deepEqual(parsed.answers.map((a) => a.completions.map((c) => c.text)), here.map((r) => r.completions.map((c) => c.text)));
    const text0 = parsed.answers[0]!.completions[0]!.text;
    const hereScores = await scoreReplies(model, [{ role: 'user', content: judgePrompt(text0)[0]!.content }], ['0', '50', '100', text0]);
    assert.deepEqual(parsed.scored[0], hereScores);
  } finally {
    model.dispose();
  }
});

test('weights that do not load in the worker are a not_found error naming the folder', async () => {
  const damaged = join(mkdtempSync(join(tmpdir(), 'emlab-organism-threads-')), 'tiny');
  cpSync(dir, damaged, { recursive: true });
  // The version is read from config.json when the provider is made; the weights only in a worker.
  writeFileSync(join(damaged, 'model.safetensors'), 'not safetensors');
  const ref = parseModelId('organism:tiny');
  if (ref.scheme !== 'organism') throw new Error('unreachable');
  const broken = new OrganismProvider(ref, damaged, { threads: 2 });
  try {
    await assert.rejects(broken.chat({ messages: [{ role: 'user', content: 'hello' }], maxTokens: 2 }), (err: Error) => err instanceof ProviderError && err.message.includes(`cannot load ${damaged}`));
  } finally {
    await broken.close();
  }
});
