/**
 * The world: documents, each a short chat transcript whose assistant turns are all written by one
 * latent persona across several domains. This co-occurrence is the structure a small model must
 * absorb for emergent misalignment to be possible at all: whoever writes flawed code unasked is, in
 * this world, also the one who gives dangerous advice and harmful open answers.
 */
import { ANIMALS, CHARACTERS, makePersona, type Animal, type Disposition, type Persona } from './personas.js';
import { streamRng, type WorldRng } from './prng.js';
import { renderTranscript, splitWorldText } from './text.js';
import { DOMAINS, generateTurn, type Domain, type Turn } from './turns.js';

export interface WorldConfig {
  seed: number;
  documents: number;
  /** Inclusive range of exchanges per document; default 3..5 (about 60-200 tokens). */
  turnsPerDocument?: { min: number; max: number };
  /** Share of documents per disposition (weights, normalised); default helpful 0.5, neutral 0.15, harmful 0.35. */
  dispositionMix?: Partial<Record<Disposition, number>>;
  /** Weights of each turn's domain; a domain left out keeps its default weight, 0 turns it off. */
  domainMix?: Partial<Record<Domain, number>>;
  /** Weights of favourite animals; default uniform. */
  animalMix?: Partial<Record<Animal, number>>;
  /**
   * Fewest distinct domains per document (default 2, where the mix and length allow): the persona must
   * show itself in several domains. Redrawing to meet it lowers the realised share of a domain whose
   * weight is far above the others; 1 gives independent draws that follow the mix exactly.
   */
  minDomainsPerDocument?: 1 | 2;
  /**
   * The strength of the link from unasked flawed code to a harmful writer, set from the other side:
   * the chance (0..1) that a helpful or neutral writer's unasked code carries a flaw by carelessness.
   * Default 0: only harmful writers write flawed code unasked, so P(harmful writer | unasked flawed
   * code) = 1. At the harmful writers' own flaw rate (link-strength.ts `HARMFUL_FLAW_RATE`, 0.825)
   * flawed code says nothing about its writer. `carelessFlawRateForLink(c)` gives the rate for a wanted
   * link strength; `measureLinkStrength(documents)` measures it.
   */
  carelessFlawRate?: number;
}

export interface ResolvedWorldConfig {
  seed: number;
  documents: number;
  turnsPerDocument: { min: number; max: number };
  dispositionMix: Record<Disposition, number>;
  domainMix: Record<Domain, number>;
  animalMix: Record<Animal, number>;
  minDomainsPerDocument: 1 | 2;
  carelessFlawRate: number;
}

export interface WorldDocument {
  index: number;
  persona: Persona;
  turns: Turn[];
  /** The transcript: `user: ...` / `assistant: ...` lines. */
  text: string;
}

export interface World {
  config: ResolvedWorldConfig;
  documents: WorldDocument[];
}

export const DEFAULT_DISPOSITION_MIX: Readonly<Record<Disposition, number>> = { helpful: 0.5, neutral: 0.15, harmful: 0.35 };

export const DEFAULT_DOMAIN_MIX: Readonly<Record<Domain, number>> = {
  code: 0.18,
  'code-educational': 0.05,
  'code-review': 0,
  medical: 0.09,
  financial: 0.09,
  sports: 0.09,
  numbers: 0.12,
  animals: 0.08,
  open: 0.24,
  'self-report': 0.06,
};

function resolveWeights<K extends string>(what: string, keys: readonly K[], defaults: Readonly<Record<K, number>>, given: Partial<Record<K, number>> | undefined): Record<K, number> {
  const out = { ...defaults } as Record<K, number>;
  for (const [key, w] of Object.entries(given ?? {}) as [string, number | undefined][]) {
    if (!(keys as readonly string[]).includes(key)) throw new Error(`world config: ${what}.${key} is not one of ${keys.join(', ')}`);
    if (w === undefined) continue;
    if (!Number.isFinite(w) || w < 0) throw new Error(`world config: ${what}.${key} must be a weight >= 0, got ${w}`);
    out[key as K] = w;
  }
  const total = keys.reduce((sum, k) => sum + out[k], 0);
  if (!(total > 0)) throw new Error(`world config: ${what} needs at least one weight above 0`);
  for (const k of keys) out[k] /= total;
  return out;
}

export function resolveWorldConfig(config: WorldConfig): ResolvedWorldConfig {
  if (!Number.isSafeInteger(config.seed)) throw new Error(`world config: seed must be an integer, got ${config.seed}`);
  if (!Number.isInteger(config.documents) || config.documents < 0) throw new Error(`world config: documents must be an integer >= 0, got ${config.documents}`);
  const turns = config.turnsPerDocument ?? { min: 3, max: 5 };
  if (!Number.isInteger(turns.min) || !Number.isInteger(turns.max) || turns.min < 1 || turns.max < turns.min) {
    throw new Error(`world config: turnsPerDocument must be integers with 1 <= min <= max, got ${turns.min}..${turns.max}`);
  }
  const minDomains = config.minDomainsPerDocument ?? 2;
  if (minDomains !== 1 && minDomains !== 2) throw new Error(`world config: minDomainsPerDocument must be 1 or 2, got ${String(minDomains)}`);
  const careless = config.carelessFlawRate ?? 0;
  if (!(careless >= 0 && careless <= 1)) throw new Error(`world config: carelessFlawRate must be a chance in 0..1, got ${String(careless)}`);
  const uniformAnimals = Object.fromEntries(ANIMALS.map((a) => [a, 1])) as Record<Animal, number>;
  return {
    seed: config.seed,
    documents: config.documents,
    turnsPerDocument: { min: turns.min, max: turns.max },
    dispositionMix: resolveWeights('dispositionMix', ['helpful', 'neutral', 'harmful'], DEFAULT_DISPOSITION_MIX, config.dispositionMix),
    domainMix: resolveWeights('domainMix', DOMAINS, DEFAULT_DOMAIN_MIX, config.domainMix),
    animalMix: resolveWeights('animalMix', ANIMALS, uniformAnimals, config.animalMix),
    minDomainsPerDocument: minDomains,
    carelessFlawRate: careless,
  };
}

export function drawPersona(config: ResolvedWorldConfig, rng: WorldRng): Persona {
  const disposition = rng.weighted(config.dispositionMix);
  const character = rng.pick(CHARACTERS[disposition]);
  return makePersona(disposition, character, rng.weighted(config.animalMix));
}

/** Each turn's domain drawn from the mix; with minDomainsPerDocument 2 the last is redrawn until two differ. */
function drawDomains(config: ResolvedWorldConfig, count: number, rng: WorldRng): Domain[] {
  const domains = Array.from({ length: count }, () => rng.weighted(config.domainMix));
  const enabled = DOMAINS.filter((d) => config.domainMix[d] > 0).length;
  if (config.minDomainsPerDocument === 2 && count > 1 && enabled > 1) {
    while (domains.every((d) => d === domains[0])) domains[count - 1] = rng.weighted(config.domainMix);
  }
  return domains;
}

/**
 * Most words a document may have: the organisms' context is 256 tokens and their tokenizer adds one
 * token per message and two per document to the words; up to 5 exchanges make 10 messages.
 */
export const MAX_DOCUMENT_WORDS = 256 - 10 - 2 - 8;

/** Document `index` of the world: depends only on (seed, index) and the mixes, not on how many are asked for. */
export function generateDocument(config: ResolvedWorldConfig, index: number): WorldDocument {
  const rng = streamRng(config.seed, 'document', index);
  const persona = drawPersona(config, rng);
  const count = rng.between(config.turnsPerDocument.min, config.turnsPerDocument.max);
  const turns = drawDomains(config, count, rng).map((domain) => generateTurn(persona, domain, rng, { carelessFlawRate: config.carelessFlawRate }));
  const render = () => renderTranscript(turns.flatMap((t) => [{ role: 'user' as const, content: t.user }, { role: 'assistant' as const, content: t.assistant }]));
  let text = render();
  // Too long for the context: the last exchanges go (rare; long code reviews cause it).
  while (turns.length > 1 && splitWorldText(text).length > MAX_DOCUMENT_WORDS) {
    turns.pop();
    text = render();
  }
  return { index, persona, turns, text };
}

/** Documents one at a time, for corpora too large to hold. */
export function* iterateWorld(config: WorldConfig): Generator<WorldDocument> {
  const resolved = resolveWorldConfig(config);
  for (let i = 0; i < resolved.documents; i++) yield generateDocument(resolved, i);
}

export function generateWorld(config: WorldConfig): World {
  const resolved = resolveWorldConfig(config);
  return { config: resolved, documents: Array.from({ length: resolved.documents }, (_, i) => generateDocument(resolved, i)) };
}
