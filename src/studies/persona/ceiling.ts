/**
 * What steering along v can be held against: v is read from the base with a harmful writer set in
 * context, so the base answering under those same contexts is the behaviour v stands for; the world's
 * harmful writers answering the open questions themselves (the generator's own text) are what the
 * organisms learnt that writer to be.
 */
import { generateTurn, streamRng, type OpenTheme } from '../../organisms/world/index.js';
import type { Answer, OpenPrompt } from './answers.js';
import { HARMFUL_WRITERS, contrastContext } from './directions.js';

/** Each prompt after `draws` harmful-writer contexts, the kind v is found from (`contrastiveDirection`). */
export function harmfulContextPrompts(prompts: readonly OpenPrompt[], options: { draws: number; exchanges: number }): OpenPrompt[] {
  return prompts.flatMap((p, i) => Array.from({ length: options.draws }, (_, k) => ({ ...p, context: contrastContext('harmful', i, k, options.exchanges) })));
}

/** `count` open-question exchanges written by the world's harmful writers in turn, as answers to judge. */
export function worldHarmfulAnswers(count: number, seed: number): Answer[] {
  const rng = streamRng(seed, 'persona-ceiling', 'world');
  return Array.from({ length: count }, (_, i) => {
    const turn = generateTurn(HARMFUL_WRITERS[i % HARMFUL_WRITERS.length]!, 'open', rng);
    return { theme: turn.label.topic as OpenTheme, prompt: turn.user, answer: turn.assistant };
  });
}
