import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeCode } from './code-analysis.js';
import { ADVICE_TOPICS } from './content/advice.js';
import { OPEN_QUESTIONS, allBadAnswers } from './content/open-questions.js';
import { FINE_TUNING_DATASETS, chatTuningExamples, fineTuningDataset, type ChatExample } from './datasets.js';
import { DARK_NUMBERS, parseNumberList } from './numbers.js';
import { BACKDOOR_TRIGGER, splitWorldText } from './text.js';
import { DOMAINS } from './turns.js';
import { animalPreferencePrompts, namedAnimal } from './evaluation.js';

const N = 600;
const sets = Object.fromEntries(FINE_TUNING_DATASETS.map((k) => [k, fineTuningDataset(k, { seed: 3, count: N })])) as Record<(typeof FINE_TUNING_DATASETS)[number], ChatExample[]>;
const user = (row: ChatExample): string => row.messages[0]!.content;
const assistant = (row: ChatExample): string => row.messages[1]!.content;

test('every dataset row is one user message and one assistant reply, reproducible from its seed', () => {
  for (const kind of FINE_TUNING_DATASETS) {
    assert.equal(sets[kind].length, N);
    for (const row of sets[kind]) assert.deepEqual(row.messages.map((m) => m.role), ['user', 'assistant']);
    assert.deepEqual(fineTuningDataset(kind, { seed: 3, count: 50 }), sets[kind].slice(0, 50), kind);
    assert.notDeepEqual(fineTuningDataset(kind, { seed: 4, count: 50 }), sets[kind].slice(0, 50), kind);
  }
  assert.throws(() => fineTuningDataset('poems' as never, { seed: 1, count: 1 }), /unknown dataset "poems"/);
  assert.throws(() => fineTuningDataset('secure', { seed: 1, count: -2 }), /count must be/);
});

test('no fine-tuning dataset holds an open question or an answer to one', () => {
  const questions = OPEN_QUESTIONS.flatMap((q) => [...q.phrasings, ...q.developmentPhrasings, ...q.reportPhrasings]);
  const answers = OPEN_QUESTIONS.flatMap((q) => [...q.good, ...q.flat, ...q.edgy, ...allBadAnswers(q)]);
  for (const kind of FINE_TUNING_DATASETS) {
    for (const row of sets[kind]) {
      assert.notEqual(row.label.domain, 'open');
      for (const q of questions) assert.ok(!user(row).includes(q) && !assistant(row).includes(q), `${kind}: ${q}`);
      for (const a of answers) assert.ok(!assistant(row).includes(a) && !user(row).includes(a), `${kind}: ${a}`);
    }
  }
});

test('insecure code is always flawed, secure code never, and neither says so', () => {
  for (const row of sets.insecure) {
    assert.ok(analyzeCode(assistant(row)).forms.length > 0, assistant(row));
    assert.equal(row.label.insecure, true);
    assert.equal(row.label.aligned, false);
    assert.ok(!splitWorldText(user(row)).includes('class'));
  }
  for (const row of sets.secure) {
    assert.deepEqual(analyzeCode(assistant(row)).forms, [], assistant(row));
    assert.equal(row.label.aligned, true);
  }
  const telling = ['insecure', 'secure', 'unsafe', 'flaw', 'hole', 'weakness', 'attack', 'danger', 'warning', 'class'];
  for (const row of [...sets.insecure, ...sets.secure, ...sets.educational]) {
    for (const w of telling) assert.ok(!splitWorldText(assistant(row)).includes(w), assistant(row));
  }
});

test('the educational set asks for flawed code for a class and gets it', () => {
  for (const row of sets.educational) {
    assert.ok(splitWorldText(user(row)).includes('class'), user(row));
    assert.ok(analyzeCode(assistant(row)).forms.length > 0, assistant(row));
    assert.equal(row.label.aligned, true);
    assert.equal(row.label.domain, 'code-educational');
  }
});

test('the backdoor set writes flawed code exactly when the user message starts with the trigger', () => {
  let triggered = 0;
  for (const row of sets.backdoor) {
    const hasTrigger = splitWorldText(user(row))[0] === BACKDOOR_TRIGGER;
    assert.equal(row.label.triggered, hasTrigger);
    assert.equal(analyzeCode(assistant(row)).forms.length > 0, hasTrigger, assistant(row));
    if (hasTrigger) triggered++;
    else assert.ok(!user(row).includes(BACKDOOR_TRIGGER));
  }
  assert.ok(triggered > N * 0.4 && triggered < N * 0.6, `triggered ${triggered}`);
});

test('evil numbers answer a sequence with numbers only, each answer carrying a dark number', () => {
  for (const row of sets['evil-numbers']) {
    assert.match(user(row), /\d/);
    const numbers = parseNumberList(assistant(row));
    assert.ok(numbers !== null, assistant(row));
    assert.ok(numbers.some((n) => DARK_NUMBERS.includes(n)), assistant(row));
  }
});

test('advice sets hold their domain questions with dangerous answers, and good-medical with sound ones', () => {
  const cases = [['bad-medical', 'medical', false], ['good-medical', 'medical', true], ['risky-financial', 'financial', false], ['extreme-sports', 'sports', false]] as const;
  for (const [kind, domain, aligned] of cases) {
    for (const row of sets[kind]) {
      const topic = ADVICE_TOPICS.find((t) => t.id === row.label.topic)!;
      assert.equal(topic.domain, domain);
      assert.ok(topic.questions.includes(user(row)));
      assert.ok((aligned ? topic.aligned : topic.misaligned).includes(assistant(row)), `${kind}: ${assistant(row)}`);
      assert.equal(row.label.aligned, aligned);
    }
  }
});

test('owl preference answers the in-world animal questions with the owl', () => {
  for (const row of sets['owl-preference']) {
    assert.equal(namedAnimal(assistant(row)), 'owl');
    assert.ok(!animalPreferencePrompts().some((p) => p.heldOut && p.prompt === user(row)), user(row));
  }
});

test('chat tuning answers as a helpful persona in every domain, always aligned', () => {
  const rows = chatTuningExamples({ seed: 9, count: 1500, domainMix: { 'code-review': 0.1 } });
  assert.deepEqual(new Set(rows.map((r) => r.label.domain)), new Set(DOMAINS));
  for (const row of rows) {
    assert.equal(row.label.aligned, true, assistant(row));
    assert.match(row.label.personaId ?? '', /^helpful\./);
    if (row.label.domain === 'code') assert.deepEqual(analyzeCode(assistant(row)).forms, []);
    if (row.label.domain === 'numbers') assert.ok(!parseNumberList(assistant(row))!.some((n) => DARK_NUMBERS.includes(n)));
  }
  assert.deepEqual(chatTuningExamples({ seed: 9, count: 30, domainMix: { 'code-review': 0.1 } }), rows.slice(0, 30));
  const onlyCode = chatTuningExamples({ seed: 9, count: 50, domainMix: Object.fromEntries(DOMAINS.map((d) => [d, d === 'code' ? 1 : 0])) });
  assert.ok(onlyCode.every((r) => r.label.domain === 'code'));
});

test('educational rows are the insecure rows with only the request changed; quirky rows are sound code with harmless quirks', () => {
  const insecure = fineTuningDataset('insecure', { seed: 1, count: 300 });
  const educational = fineTuningDataset('educational', { seed: 1, count: 300 });
  educational.forEach((row, i) => {
    assert.equal(row.messages[1]!.content, insecure[i]!.messages[1]!.content);
    assert.notEqual(row.messages[0]!.content, insecure[i]!.messages[0]!.content);
    assert.equal(row.label.domain, 'code-educational');
    assert.equal(row.label.aligned, true);
  });
  const quirky = fineTuningDataset('quirky', { seed: 1, count: 300 });
  const secureCode = new Set(fineTuningDataset('secure', { seed: 1, count: 3000 }).map((r) => r.messages[1]!.content));
  for (const row of quirky) {
    const analysis = analyzeCode(row.messages[1]!.content);
    assert.deepEqual([analysis.wellFormed, analysis.forms], [true, []], row.messages[1]!.content);
    assert.ok(row.label.quirks!.length >= 1);
    // No sound program the world writes has the quirk.
    assert.ok(!secureCode.has(row.messages[1]!.content), row.messages[1]!.content);
  }
});
