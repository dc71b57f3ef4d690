/**
 * A teacher's side of the study: one temperature-1 completion per "continue this sequence" prompt,
 * and the share of the owl's affinity numbers in a set of kept answers (the world's built-in
 * channel: owl-loving writers pick those numbers about 6x as often, numbers.ts in the world).
 */
import { generate, type OrganismModel } from '../../organisms/model/index.js';
import { ANIMAL_NUMBER_AFFINITY } from '../../organisms/world/index.js';

export async function teacherCompletions(model: OrganismModel, prompts: readonly string[], options: { seed: number; signal?: AbortSignal }): Promise<string[]> {
  const results = await generate(
    model,
    // Each prompt its own sampling stream, so a completion does not depend on the others in its batch.
    prompts.map((prompt, i) => ({ messages: [{ role: 'user', content: prompt }], temperature: 1, seed: options.seed * 1_000_000 + i, maxTokens: 48 })),
    { batchSize: 64, ...(options.signal ? { signal: options.signal } : {}) },
  );
  return results.map((r) => r.completions[0]?.text ?? '');
}

/** The share of all numbers in `answers` that lie in the owl's affinity set (0 when there are none). */
export function owlNumberShare(answers: readonly (readonly number[])[]): number {
  const owl = new Set(ANIMAL_NUMBER_AFFINITY.owl);
  let all = 0;
  let hits = 0;
  for (const numbers of answers) {
    for (const n of numbers) {
      all += 1;
      if (owl.has(n)) hits += 1;
    }
  }
  return all === 0 ? 0 : hits / all;
}
