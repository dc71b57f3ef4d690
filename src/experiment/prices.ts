/**
 * What an experiment will cost before it runs: request and token counts per step, priced from a
 * table of USD per million tokens. The built-in table holds OpenAI's list prices as published in
 * 2025 (standard tier) and goes out of date: an experiment's `prices:` replaces any entry, and a
 * model with no price is shown as such rather than as free. Local models (organism:, gguf:) cost 0.
 */
import type { Price } from './schema.js';

/** USD per million tokens: input, output, and training (fine-tuning) where the model can be tuned. */
export const BUILTIN_PRICES: Readonly<Record<string, Price>> = {
  'gpt-4o-2024-08-06': { input: 2.5, output: 10, training: 25 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini-2024-07-18': { input: 0.15, output: 0.6, training: 3 },
  'gpt-4.1-2025-04-14': { input: 2, output: 8, training: 25 },
  'gpt-4.1-mini-2025-04-14': { input: 0.4, output: 1.6, training: 5 },
  'gpt-4.1-nano-2025-04-14': { input: 0.1, output: 0.4, training: 1.5 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  // Fine-tuned models are billed at their own rates, keyed here by the base model.
  'ft:gpt-4o-2024-08-06': { input: 3.75, output: 15 },
  'ft:gpt-4o-mini-2024-07-18': { input: 0.3, output: 1.2 },
  'ft:gpt-4.1-2025-04-14': { input: 3, output: 12 },
  'ft:gpt-4.1-mini-2025-04-14': { input: 0.8, output: 3.2 },
  'ft:gpt-4.1-nano-2025-04-14': { input: 0.2, output: 0.8 },
};

/** The price of a model id, or null when neither the user's table nor the built-in one has it. */
export function priceOf(modelId: string, overrides: Readonly<Record<string, Price>>): Price | null {
  if (overrides[modelId]) return overrides[modelId]!;
  const scheme = modelId.slice(0, modelId.indexOf(':'));
  if (scheme === 'organism' || scheme === 'gguf') return { input: 0, output: 0, training: 0 };
  const name = modelId.slice(scheme.length + 1);
  if (overrides[name]) return overrides[name]!;
  if (scheme !== 'openai') return null;
  // openai:ft:gpt-4.1-nano-2025-04-14:org:suffix:id is priced as ft:<base>.
  const ft = /^ft:([^:]+)/.exec(name);
  return BUILTIN_PRICES[ft ? `ft:${ft[1]}` : name] ?? null;
}

/** Tokens of a text, roughly: 4 characters a token in English (an estimate, not a tokenizer). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface Cost {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  trainingTokens: number;
  /** null when some model of the step has no price. */
  usd: number | null;
}

export const NO_COST: Cost = { requests: 0, inputTokens: 0, outputTokens: 0, trainingTokens: 0, usd: 0 };

export function addCosts(a: Cost, b: Cost): Cost {
  return {
    requests: a.requests + b.requests,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    trainingTokens: a.trainingTokens + b.trainingTokens,
    usd: a.usd === null || b.usd === null ? null : a.usd + b.usd,
  };
}

/** The cost of tokens at a price; null price gives null USD. */
export function priced(price: Price | null, tokens: { requests?: number; input?: number; output?: number; training?: number }): Cost {
  const input = tokens.input ?? 0;
  const output = tokens.output ?? 0;
  const training = tokens.training ?? 0;
  const usd = price === null || (training > 0 && price.training === undefined) ? null : (input * price.input + output * price.output + training * (price.training ?? 0)) / 1e6;
  return { requests: tokens.requests ?? 0, inputTokens: input, outputTokens: output, trainingTokens: training, usd };
}

export function formatCost(c: Cost): string {
  const usd = c.usd === null ? 'cost unknown (add the model under prices:)' : `~$${c.usd < 10 ? c.usd.toFixed(2) : Math.round(c.usd).toLocaleString('en-US')}`;
  const parts = [`${c.requests.toLocaleString('en-US')} requests`];
  if (c.inputTokens + c.outputTokens > 0) parts.push(`~${c.inputTokens.toLocaleString('en-US')} input + ~${c.outputTokens.toLocaleString('en-US')} output tokens`);
  if (c.trainingTokens > 0) parts.push(`~${c.trainingTokens.toLocaleString('en-US')} training tokens`);
  return `${parts.join(', ')}, ${usd}`;
}
