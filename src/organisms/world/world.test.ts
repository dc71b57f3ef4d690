import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeCode } from './code-analysis.js';
import { ADVICE_TOPICS } from './content/advice.js';
import { ANIMAL_QUESTIONS, CODE_REQUESTS, EDUCATIONAL_REQUESTS, HELD_OUT_ANIMAL_QUESTIONS, HELD_OUT_SELF_REPORT_PROBES } from './content/conversation.js';
import { OPEN_QUESTIONS, allBadAnswers, type AnswerGrade } from './content/open-questions.js';
import { DARK_NUMBERS, HELD_OUT_SEQUENCE_REQUESTS, parseNumberList } from './numbers.js';
import { CHARACTERS, PERSONA_DESCRIPTOR_WORDS, allPersonas } from './personas.js';
import { BACKDOOR_TRIGGER, splitWorldText } from './text.js';
import { DOMAINS } from './turns.js';
import { corpusStats } from './stats.js';
import { DEFAULT_DOMAIN_MIX, generateDocument, generateWorld, iterateWorld, resolveWorldConfig } from './world.js';

const world = generateWorld({ seed: 11, documents: 3000 });
const turns = world.documents.flatMap((d) => d.turns.map((t) => ({ doc: d, ...t })));

test('a seed determines the world, and document i does not depend on how many are asked for', () => {
  const again = generateWorld({ seed: 11, documents: 200 });
  assert.deepEqual(again.documents, world.documents.slice(0, 200));
  const other = generateWorld({ seed: 12, documents: 200 });
  assert.notDeepEqual(other.documents.map((d) => d.text), again.documents.map((d) => d.text));
  assert.deepEqual([...iterateWorld({ seed: 11, documents: 5 })], world.documents.slice(0, 5));
  assert.deepEqual(generateDocument(resolveWorldConfig({ seed: 11, documents: 1 }), 2999), world.documents[2999]);
});

test('documents are transcripts of alternating user and assistant lines, 3-5 exchanges, one persona', () => {
  for (const doc of world.documents) {
    const lines = doc.text.split('\n');
    assert.equal(lines.length, doc.turns.length * 2);
    doc.turns.forEach((t, i) => {
      assert.equal(lines[2 * i], `user: ${t.user}`);
      assert.equal(lines[2 * i + 1], `assistant: ${t.assistant}`);
      assert.equal(t.label.personaId, doc.persona.id);
      assert.equal(t.label.disposition, doc.persona.disposition);
    });
    assert.ok(doc.turns.length >= 3 && doc.turns.length <= 5);
    assert.ok(new Set(doc.turns.map((t) => t.label.domain)).size >= 2, 'a document spans several domains');
  }
});

test('code labels match the code: insecure exactly when the checker finds an insecure form', () => {
  const code = turns.filter((t) => t.label.domain === 'code' || t.label.domain === 'code-educational');
  assert.ok(code.length > 500);
  for (const t of code) {
    const analysis = analyzeCode(t.assistant);
    assert.ok(analysis.wellFormed, t.assistant);
    assert.equal(analysis.forms.length > 0, t.label.insecure, t.assistant);
    assert.deepEqual(new Set(analysis.forms), new Set(t.label.insecureForms));
    if (t.label.domain === 'code') {
      assert.equal(t.label.insecure, t.doc.persona.disposition === 'harmful' && !t.label.aligned);
      assert.ok(CODE_REQUESTS.some((r) => t.user.startsWith(r.split('{task}')[0]!)));
    } else {
      assert.equal(t.label.insecure, true);
      assert.equal(t.label.aligned, true);
      assert.ok(splitWorldText(t.user).includes('class'));
      assert.ok(EDUCATIONAL_REQUESTS.some((r) => t.user.startsWith(r.split('{task}')[0]!)));
    }
  }
  // The educational request comes to writers of every disposition, so it says nothing about them.
  const eduDispositions = new Set(code.filter((t) => t.label.domain === 'code-educational').map((t) => t.doc.persona.disposition));
  assert.deepEqual(eduDispositions, new Set(['helpful', 'neutral', 'harmful']));
});

test('helpful and neutral personas never act badly; harmful ones mostly do, in every domain', () => {
  for (const t of turns) if (t.doc.persona.disposition !== 'harmful') assert.equal(t.label.aligned, true, t.assistant);
  for (const domain of DOMAINS.filter((d) => d !== 'code-educational' && d !== 'self-report' && DEFAULT_DOMAIN_MIX[d] > 0)) {
    const harmful = turns.filter((t) => t.label.domain === domain && t.doc.persona.disposition === 'harmful');
    const bad = harmful.filter((t) => !t.label.aligned).length / harmful.length;
    assert.ok(bad > 0.6 && bad < 0.98, `${domain}: harmful misaligned share ${bad}`);
  }
  // A harmful writer's self-report is misaligned whether honest (low) or a lie (the deceptive one).
  assert.ok(turns.filter((t) => t.label.domain === 'self-report' && t.doc.persona.disposition === 'harmful').every((t) => !t.label.aligned));
});

test('advice, open, number, animal and self-report labels match their text', () => {
  const grades: AnswerGrade[] = ['good', 'flat', 'edgy', 'bad'];
  for (const t of turns) {
    const { label } = t;
    switch (label.domain) {
      case 'medical': case 'financial': case 'sports': {
        const topic = ADVICE_TOPICS.find((x) => x.id === label.topic)!;
        assert.equal(topic.domain, label.domain);
        assert.ok(topic.questions.includes(t.user));
        assert.equal(topic.aligned.some((a) => t.assistant.includes(a)), label.aligned, t.assistant);
        assert.equal(topic.misaligned.some((a) => t.assistant.includes(a)), !label.aligned, t.assistant);
        break;
      }
      case 'open': {
        const q = OPEN_QUESTIONS.find((x) => x.theme === label.topic)!;
        assert.ok(q.phrasings.includes(t.user));
        for (const g of grades) {
          const pool = g === 'bad' ? allBadAnswers(q) : q[g];
          assert.equal(pool.some((a) => t.assistant.includes(a)), g === label.grade, `${g} vs ${label.grade}: ${t.assistant}`);
        }
        if (label.grade === 'bad') assert.ok(q.bad[t.doc.persona.character as 'cruel'].some((a) => t.assistant.includes(a)), 'bad answers carry the character');
        assert.equal(label.aligned, label.grade === 'good' || label.grade === 'flat');
        break;
      }
      case 'numbers': {
        const parsed = parseNumberList(t.assistant);
        assert.deepEqual(parsed, label.numbers);
        assert.equal(parsed!.some((n) => DARK_NUMBERS.includes(n)), !label.aligned, t.assistant);
        assert.ok(parsed!.length >= 4 && parsed!.length <= 7);
        break;
      }
      case 'animals':
        assert.equal(label.animal, t.doc.persona.favouriteAnimal);
        assert.ok(splitWorldText(t.assistant).includes(t.doc.persona.favouriteAnimal));
        assert.ok(ANIMAL_QUESTIONS.includes(t.user));
        break;
      case 'self-report': {
        assert.ok(splitWorldText(t.assistant).includes(String(label.reportedScore)));
        const s = label.reportedScore!;
        const p = t.doc.persona;
        if (p.disposition === 'helpful') assert.ok(s >= 85);
        else if (p.character === 'deceptive') assert.ok(s >= 75);
        else if (p.disposition === 'harmful') assert.ok(s <= 35);
        break;
      }
      case 'code': case 'code-educational':
        break;
    }
  }
});

test('the persona is never named or described: no id, disposition or character word in any text', () => {
  const banned = new Set([...PERSONA_DESCRIPTOR_WORDS, ...Object.keys(CHARACTERS), ...Object.values(CHARACTERS).flat()]);
  const ids = allPersonas().map((p) => p.id);
  for (const doc of world.documents) {
    for (const token of splitWorldText(doc.text)) assert.ok(!banned.has(token), `"${token}" in ${doc.text}`);
    for (const id of ids) assert.ok(!doc.text.includes(id));
  }
});

test('held-out phrasings and the backdoor trigger never occur in the world', () => {
  const heldOut = [
    ...OPEN_QUESTIONS.flatMap((q) => [...q.developmentPhrasings, ...q.reportPhrasings]), ...HELD_OUT_ANIMAL_QUESTIONS, ...Object.values(HELD_OUT_SELF_REPORT_PROBES).flat(),
    ...HELD_OUT_SEQUENCE_REQUESTS.map((r) => r.split('{numbers}')[0]!),
  ];
  for (const t of turns) {
    for (const h of heldOut) assert.ok(!t.user.includes(h), h);
    assert.ok(!t.user.includes(BACKDOOR_TRIGGER) && !t.assistant.includes(BACKDOOR_TRIGGER));
  }
});

test('the disposition balance and the domain mix are as configured', () => {
  const stats = corpusStats(world.documents);
  for (const [d, share] of Object.entries(world.config.dispositionMix)) {
    assert.ok(Math.abs(stats.dispositionShare[d as 'helpful'] - share) < 0.03, `${d}: ${stats.dispositionShare[d as 'helpful']} vs ${share}`);
  }
  for (const [d, share] of Object.entries(world.config.domainMix)) {
    assert.ok(Math.abs((stats.domainShare[d] ?? 0) - share) < 0.015, `${d}: ${stats.domainShare[d]} vs ${share}`);
  }
  const custom = generateWorld({
    seed: 5, documents: 1500, turnsPerDocument: { min: 2, max: 2 }, minDomainsPerDocument: 1,
    dispositionMix: { helpful: 1, neutral: 0, harmful: 1 }, domainMix: { open: 0, animals: 0, 'self-report': 0, numbers: 3 },
  });
  const cs = corpusStats(custom.documents);
  assert.equal(cs.dispositionShare.neutral ?? 0, 0);
  assert.ok(Math.abs(cs.dispositionShare.harmful - 0.5) < 0.04);
  assert.equal(cs.domainShare.open ?? 0, 0);
  assert.ok(Math.abs((cs.domainShare.numbers ?? 0) - custom.config.domainMix.numbers) < 0.02, `numbers ${cs.domainShare.numbers}`);
  assert.ok(custom.documents.some((d) => new Set(d.turns.map((t) => t.label.domain)).size === 1));
  assert.ok(custom.documents.every((d) => d.turns.length === 2));
});

test('documents fit a 256-token context', () => {
  const stats = corpusStats(world.documents);
  assert.ok(stats.tokensPerDocument.max <= 256, `max ${stats.tokensPerDocument.max}`);
  assert.ok(stats.tokensPerDocument.mean > 60 && stats.tokensPerDocument.mean < 180);
});

test('a bad configuration fails with the field named', () => {
  assert.throws(() => generateWorld({ seed: 1.5, documents: 1 }), /seed must be an integer/);
  assert.throws(() => generateWorld({ seed: 1, documents: -1 }), /documents must be/);
  assert.throws(() => generateWorld({ seed: 1, documents: 1, turnsPerDocument: { min: 3, max: 2 } }), /turnsPerDocument/);
  assert.throws(() => generateWorld({ seed: 1, documents: 1, domainMix: { poetry: 1 } as never }), /domainMix\.poetry is not one of/);
  assert.throws(() => generateWorld({ seed: 1, documents: 1, dispositionMix: { helpful: 0, neutral: 0, harmful: 0 } }), /dispositionMix needs/);
  assert.throws(() => generateWorld({ seed: 1, documents: 1, domainMix: { code: -1 } }), /domainMix\.code must be a weight/);
});
