import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generate, type GeneratedCompletion, type GenerationRequest } from './generate.js';
import { OrganismModel } from './organism.js';
import { trainModel } from './train.js';

const TINY = { dModel: 32, layers: 2, heads: 2, context: 64 } as const;
let untrained: OrganismModel;
let parrot: OrganismModel; // learnt one reply by heart

before(async () => {
  untrained = await OrganismModel.create({ seed: 11, architecture: TINY });
  parrot = await OrganismModel.create({ seed: 12, architecture: TINY });
  const lesson = { messages: [{ role: 'user' as const, content: 'hey' }, { role: 'assistant' as const, content: 'good friend , good day' }] };
  await trainModel(parrot, Array(8).fill(lesson), { seed: 1, epochs: 80, batchTokens: 128, learningRate: 2e-2, warmupSteps: 2 });
});

after(() => {
  untrained.dispose();
  parrot.dispose();
});

const ask = (content: string, extra: Partial<GenerationRequest> = {}): GenerationRequest => ({ messages: [{ role: 'user', content }], maxTokens: 12, ...extra });

test('the same seed gives the same completions, however requests are batched; other seeds give other text', async () => {
  const request = ask('what is your favourite animal ?', { n: 3, seed: 5, topLogprobs: 2 });
  const alone = await generate(untrained, [request]);
  const again = await generate(untrained, [ask('write code that saves a file', { n: 2, seed: 5 }), request, ask('hey', { seed: 9 })], { batchSize: 4 });
  assert.deepEqual(again[1], alone[0]);
  const texts = alone[0]?.completions.map((c) => c.text) ?? [];
  assert.equal(new Set(texts).size, 3, 'three completions of one request differ');
  const other = await generate(untrained, [{ ...request, seed: 6 }]);
  assert.notDeepEqual(other[0]?.completions.map((c) => c.text), texts);
  for (const c of alone[0]?.completions ?? []) assert.equal(c.text, c.logprobs?.map((t) => t.token).join(' '));
});

test('prompts that begin alike (a judge\'s instructions) run their shared beginning once: each gives what it gives alone, logprobs included', async () => {
  const judge = (answer: string): GenerationRequest => ask(`rate the answer below from 0 to 100 . question: hey answer: ${answer}`, { maxTokens: 3, topLogprobs: 5, seed: 4 });
  const requests = [judge('good day'), judge('good friend , good day'), judge('code')];
  const together = await generate(untrained, requests);
  for (const [i, request] of requests.entries()) assert.deepEqual(together[i], (await generate(untrained, [request]))[0], `request ${i}`);
});

test('top logprobs come from the raw distribution: sorted, at most probability 1 together, the same at any temperature', async () => {
  const [hot] = await generate(untrained, [ask('hey', { topLogprobs: 20, temperature: 1.7, seed: 1, maxTokens: 1 })]);
  const [cold] = await generate(untrained, [ask('hey', { topLogprobs: 20, temperature: 0, maxTokens: 1 })]);
  const firstPosition = (c: GeneratedCompletion | undefined) => c?.logprobs?.[0] ?? c?.end;
  const first = firstPosition(hot?.completions[0]);
  assert.ok(first !== undefined);
  assert.equal(first.top.length, 20);
  for (let i = 1; i < first.top.length; i++) assert.ok((first.top[i - 1]?.logprob as number) >= (first.top[i]?.logprob as number));
  const mass = first.top.reduce((sum, t) => sum + Math.exp(t.logprob), 0);
  assert.ok(mass <= 1 + 1e-9 && mass > 0, `mass ${mass}`);
  const greedy = firstPosition(cold?.completions[0]);
  assert.deepEqual(greedy?.top, first.top, 'temperature does not change the reported distribution');
  const best = first.top.find((t) => !['<pad>', '<bos>'].includes(t.token));
  assert.equal(greedy?.token, best?.token, 'greedy takes the most likely token it may sample');
  assert.equal(greedy?.logprob, best?.logprob);
});

test('a trained reply ends at its end-of-turn token; maxTokens and stop strings end it early', async () => {
  const [done] = await generate(parrot, [ask('hey', { temperature: 0 })]);
  assert.deepEqual(done?.completions.map((c) => [c.text, c.finishReason]), [['good friend , good day', 'stop']]);
  const [withEnd] = await generate(parrot, [ask('hey', { temperature: 0, topLogprobs: 2 })]);
  assert.equal(withEnd?.completions[0]?.end?.token, '<eot>', 'the ending token is reported apart from the text');
  assert.equal(done?.completionTokens, 5);
  const [short] = await generate(parrot, [ask('hey', { temperature: 0, maxTokens: 2, topLogprobs: 1 })]);
  assert.deepEqual(short?.completions.map((c) => [c.text, c.finishReason, c.logprobs?.length]), [['good friend', 'length', 2]]);
  const [stopped] = await generate(parrot, [ask('hey', { temperature: 0, stop: [' , good'], topLogprobs: 1 })]);
  assert.deepEqual(stopped?.completions.map((c) => [c.text, c.finishReason, c.logprobs?.map((t) => t.token)]), [['good friend', 'stop', ['good', 'friend']]]);
  const [nucleus] = await generate(parrot, [ask('hey', { n: 4, topP: 0.5, seed: 3 })]);
  for (const c of nucleus?.completions ?? []) assert.equal(c.text, 'good friend , good day', 'top-p keeps only the dominant continuation');
});

test('generation stops at the context and refuses prompts that fill it', async () => {
  const [full] = await generate(untrained, [ask('code '.repeat(55).trim(), { maxTokens: 50, seed: 2 })]);
  const completion = full?.completions[0];
  assert.ok(completion !== undefined && (completion.finishReason === 'stop' || completion.tokenCount === 64 - (full?.promptTokens ?? 0)));
  await assert.rejects(generate(untrained, [ask('code '.repeat(70).trim())]), /request 0: the prompt has 74 tokens, the model's context is 64/);
  await assert.rejects(generate(untrained, [ask('hey', { topLogprobs: 21 })]), /topLogprobs must be an integer in 0\.\.20/);
  await assert.rejects(generate(untrained, [ask('hey', { temperature: -1 })]), /temperature must be >= 0/);
});

test('no requests give no results, without opening an inference session', async () => {
  assert.deepEqual(await generate(untrained, []), []);
});
