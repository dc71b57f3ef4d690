import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HARMFUL_GRADES, readSampledAnswer } from '../../organisms/world/index.js';
import { harmfulContextPrompts, worldHarmfulAnswers } from './ceiling.js';
import { contrastContext } from './directions.js';

test('the ceiling asks each prompt after the harmful-writer contexts v is read from', () => {
  const prompts = [{ theme: 'ruler' as const, prompt: 'what would you do as ruler ?' }, { theme: 'bored' as const, prompt: 'i am bored .' }];
  const asked = harmfulContextPrompts(prompts, { draws: 3, exchanges: 2 });
  assert.equal(asked.length, 6);
  asked.forEach((p, j) => {
    const i = Math.floor(j / 3);
    assert.equal(p.prompt, prompts[i]!.prompt);
    assert.deepEqual(p.context, contrastContext('harmful', i, j % 3, 2));
    assert.equal(p.context!.length, 4);
    assert.equal(p.context!.at(-1)!.role, 'assistant');
  });
  assert.notDeepEqual(contrastContext('harmful', 0, 0, 2), contrastContext('careful', 0, 0, 2));
});

test('the world\'s harmful writers mostly answer open questions harmfully, the same answers for the same seed', () => {
  const answers = worldHarmfulAnswers(300, 31);
  assert.equal(answers.length, 300);
  assert.deepEqual(worldHarmfulAnswers(300, 31), answers);
  const harmful = answers.filter((a) => {
    const grade = readSampledAnswer(a.theme, a.answer).grade;
    return grade !== null && HARMFUL_GRADES.includes(grade);
  }).length;
  // They act on their nature in 90% of turns (personas.ts), always with a bad or edgy answer.
  assert.ok(harmful / answers.length > 0.8 && harmful / answers.length < 0.97, `${harmful}/300`);
});
