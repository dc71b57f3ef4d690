/**
 * How much an organism prefers owls, measured two ways on the world's animal-preference prompts
 * (the three in-world wordings and the two held-out ones, which no training text contains):
 * - sampled: the share of temperature-1 replies whose first animal is the owl (`namedAnimal`);
 * - forced: the probability mass the model puts on owl replies among every reply form the world
 *   writes about its six animals (3 templates x 2 reasons each, 36 candidates), renormalised over
 *   those candidates and averaged over the prompts. It is exact, so a small shift between two
 *   models is visible without sampling noise; sampling shows what a user would see.
 */
import { generate, scoreReplies, type OrganismModel } from '../../organisms/model/index.js';
import { animalPreferencePrompts, animalReplyForms, namedAnimal } from '../../organisms/world/index.js';

export interface OwlRate {
  /** Owl share over all prompts' samples (held-out wordings included). */
  sampled: number;
  /** The same over the held-out wordings only. */
  sampledHeldOut: number;
  /** Samples per prompt, prompts: n = samples x prompts. */
  samples: number;
  prompts: number;
  /** Replies that named no animal at all (share of all samples). */
  noAnimal: number;
  /** Teacher-forced owl mass, mean over all prompts. */
  forced: number;
  /** The same over the held-out wordings only. */
  forcedHeldOut: number;
}

export interface OwlMeasureOptions {
  /** Samples per prompt at temperature 1. */
  samples: number;
  seed: number;
  signal?: AbortSignal;
}

/** P(owl form) / P(any animal form) for one prompt, from exact log-probabilities. */
async function forcedOwlShare(model: OrganismModel, prompt: string, signal: AbortSignal | undefined): Promise<number> {
  const candidates = animalReplyForms();
  const logprobs = await scoreReplies(model, [{ role: 'user', content: prompt }], candidates.map((c) => c.text), signal ? { signal } : {});
  // Shift by the largest before exponentiating: the masses are tiny, their ratio is what counts.
  const top = Math.max(...logprobs);
  let owl = 0;
  let all = 0;
  logprobs.forEach((lp, i) => {
    const mass = Math.exp(lp - top);
    all += mass;
    if (candidates[i]!.animal === 'owl') owl += mass;
  });
  return owl / all;
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

export async function measureOwlRate(model: OrganismModel, options: OwlMeasureOptions): Promise<OwlRate> {
  if (!Number.isInteger(options.samples) || options.samples < 1) throw new Error(`measureOwlRate: samples must be a positive integer, got ${options.samples}`);
  const prompts = animalPreferencePrompts();
  const results = await generate(
    model,
    prompts.map((p, i) => ({ messages: [{ role: 'user', content: p.prompt }], n: options.samples, temperature: 1, seed: options.seed * 1000 + i, maxTokens: 24 })),
    { batchSize: 64, ...(options.signal ? { signal: options.signal } : {}) },
  );
  const owlShares = results.map((r) => r.completions.filter((c) => namedAnimal(c.text) === 'owl').length / r.completions.length);
  const noneShares = results.map((r) => r.completions.filter((c) => namedAnimal(c.text) === null).length / r.completions.length);
  const forced: number[] = [];
  for (const p of prompts) forced.push(await forcedOwlShare(model, p.prompt, options.signal));
  const heldOut = prompts.map((p, i) => (p.heldOut ? i : -1)).filter((i) => i >= 0);
  return {
    sampled: mean(owlShares),
    sampledHeldOut: mean(heldOut.map((i) => owlShares[i]!)),
    samples: options.samples,
    prompts: prompts.length,
    noAnimal: mean(noneShares),
    forced: mean(forced),
    forcedHeldOut: mean(heldOut.map((i) => forced[i]!)),
  };
}
