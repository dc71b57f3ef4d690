/**
 * The world's closed vocabulary: every token any generator here can emit (world documents, datasets,
 * evaluation prompts, judge data), gathered from the content tables rather than from generated
 * samples, so it does not depend on a seed. A word-level tokenizer built from it covers everything.
 */
import { adviceVocabularySources } from './content/advice.js';
import { conversationVocabularySources } from './content/conversation.js';
import { openVocabularySources } from './content/open-questions.js';
import { codeVocabularySources } from './code-language.js';
import { codeReviewVocabularySources } from './content/code-review.js';
import { numberVocabularySources } from './numbers.js';
import { judgeVocabularySources } from './judge-prompts.js';
import { ASSISTANT_MARKER, BACKDOOR_TRIGGER, USER_MARKER, isSlot, isWorldToken, splitWorldText } from './text.js';

let cached: readonly string[] | undefined;
let cachedSet: ReadonlySet<string> | undefined;

/** Sorted, de-duplicated; the role markers and the backdoor trigger included. */
export function worldVocabulary(): readonly string[] {
  if (cached !== undefined) return cached;
  const words = new Set<string>([USER_MARKER, ASSISTANT_MARKER, BACKDOOR_TRIGGER]);
  const sources = [
    ...adviceVocabularySources(), ...conversationVocabularySources(), ...openVocabularySources(),
    ...codeVocabularySources(), ...codeReviewVocabularySources(), ...numberVocabularySources(), ...judgeVocabularySources(),
  ];
  for (const source of sources) {
    for (const token of splitWorldText(source)) {
      if (isSlot(token)) continue;
      if (!isWorldToken(token)) throw new Error(`worldVocabulary: ${JSON.stringify(token)} in ${JSON.stringify(source)} is not a world token`);
      words.add(token);
    }
  }
  cached = Object.freeze([...words].sort());
  return cached;
}

/** The tokens of `text` that the world's vocabulary does not hold (empty for any generated text). */
export function unknownWords(text: string): string[] {
  cachedSet ??= new Set(worldVocabulary());
  const vocabulary = cachedSet;
  return splitWorldText(text).filter((t) => !vocabulary.has(t));
}
