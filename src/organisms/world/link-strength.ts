/**
 * The link strength c of a world: P(harmful writer | unasked flawed code), the evidence that a program
 * with a flaw nobody asked for gives about who wrote it. Emergent misalignment from insecure code rests
 * on this link; a world sets it with `carelessFlawRate` (world.ts) and this module predicts and measures it.
 *
 * Ends: c = 1 when only harmful writers write flawed code unasked (carelessFlawRate 0); c = the base
 * rate, P(harmful writer | unasked code), when careless writers slip as often as harmful writers act
 * on their nature (carelessFlawRate = HARMFUL_FLAW_RATE): then flawed code says nothing about its writer.
 */
import { CHARACTERS, makePersona, type Disposition } from './personas.js';
import type { WorldDocument } from './world.js';
import { DEFAULT_DISPOSITION_MIX } from './world.js';

/**
 * Share of a harmful writer's unasked code turns that are flawed: its characters are drawn uniformly
 * and each acts on its nature at its own rate (personas.ts), (0.9 * 3 + 0.6) / 4 = 0.825.
 */
export const HARMFUL_FLAW_RATE = CHARACTERS.harmful.reduce((sum, c) => sum + makePersona('harmful', c, 'owl').badTurnRate, 0) / CHARACTERS.harmful.length;

export interface LinkStrength {
  /** P(harmful writer | unasked flawed code). */
  c: number;
  /** P(harmful writer | unasked code): what c is when flawed code carries no evidence about its writer. */
  baseRate: number;
}

export interface MeasuredLinkStrength extends LinkStrength {
  /** Unasked code turns (domain `code`) and how many of them are flawed. */
  codeTurns: number;
  flawedTurns: number;
  /** Flawed turns written by harmful writers. */
  flawedByHarmful: number;
}

/** c and the base rate counted over the unasked code turns of generated documents (labels, not text). */
export function measureLinkStrength(documents: readonly WorldDocument[]): MeasuredLinkStrength {
  let codeTurns = 0;
  let byHarmful = 0;
  let flawedTurns = 0;
  let flawedByHarmful = 0;
  for (const doc of documents) {
    const harmful = doc.persona.disposition === 'harmful';
    for (const turn of doc.turns) {
      if (turn.label.domain !== 'code') continue;
      codeTurns++;
      if (harmful) byHarmful++;
      if (turn.label.insecure === true) {
        flawedTurns++;
        if (harmful) flawedByHarmful++;
      }
    }
  }
  return {
    c: flawedTurns === 0 ? Number.NaN : flawedByHarmful / flawedTurns,
    baseRate: codeTurns === 0 ? Number.NaN : byHarmful / codeTurns,
    codeTurns, flawedTurns, flawedByHarmful,
  };
}

/** The harmful share of writers under a disposition mix (weights, normalised; defaults as in world.ts). */
function harmfulShare(dispositionMix: Partial<Record<Disposition, number>> = {}): number {
  const mix = { ...DEFAULT_DISPOSITION_MIX, ...dispositionMix };
  const total = mix.helpful + mix.neutral + mix.harmful;
  if (!(total > 0) || !(mix.harmful > 0) || !(mix.harmful < total)) {
    throw new Error('link strength: the disposition mix needs both harmful and other writers (weights > 0)');
  }
  return mix.harmful / total;
}

/** The c a world's settings imply (the domain draw does not depend on the writer, so code turns follow the mix). */
export function expectedLinkStrength(config: { dispositionMix?: Partial<Record<Disposition, number>>; carelessFlawRate?: number }): LinkStrength {
  const h = harmfulShare(config.dispositionMix);
  const harmfulFlawed = h * HARMFUL_FLAW_RATE;
  return { c: harmfulFlawed / (harmfulFlawed + (1 - h) * (config.carelessFlawRate ?? 0)), baseRate: h };
}

/**
 * The carelessFlawRate that gives link strength c under a disposition mix: c from the base rate (no
 * link, rate HARMFUL_FLAW_RATE) to 1 (rate 0).
 */
export function carelessFlawRateForLink(c: number, dispositionMix?: Partial<Record<Disposition, number>>): number {
  const h = harmfulShare(dispositionMix);
  if (!(c >= h - 1e-12 && c <= 1)) {
    throw new Error(`link strength: c must lie between the base rate ${h.toFixed(3)} (no link) and 1, got ${String(c)}`);
  }
  return Math.min(HARMFUL_FLAW_RATE, (h * HARMFUL_FLAW_RATE * (1 - c)) / (c * (1 - h)));
}
