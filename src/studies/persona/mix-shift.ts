/**
 * How far a fine-tune's stream has moved along v: the early warning's two projection shifts, each the
 * fine-tune's projection on the unit direction at its layer minus the base's on the same input.
 * - `projection`: mean over the reply tokens of fixed answers (the base's own to the report wordings,
 *   sampled once), answer by answer. Both models read the same text, so no sampling noise enters.
 * - `lastPosition`: the stream at the last prompt position of the report wordings, where the reply starts.
 */
import type { ChatTurn, OrganismModel } from '../../organisms/model/index.js';
import { answerTurns, type Answer, type OpenPrompt } from './answers.js';
import { lastPositionMeans } from './directions.js';
import { replyProjections, type Direction } from './screen.js';
import { dot } from './vectors.js';

export interface ShiftReference {
  direction: Direction;
  prompts: ChatTurn[][];
  answers: ChatTurn[][];
  baseLast: number[];
  baseReply: (number | null)[];
}

async function lastProjections(model: OrganismModel, prompts: readonly ChatTurn[][], direction: Direction): Promise<number[]> {
  return (await lastPositionMeans(model, prompts)).map((layers) => dot(layers[direction.layer]!, direction.unit));
}

/** The base's readings that every fine-tune's are compared with. */
export async function shiftReference(base: OrganismModel, direction: Direction, prompts: readonly OpenPrompt[], answers: readonly Answer[]): Promise<ShiftReference> {
  const asked = prompts.map((p) => [{ role: 'user' as const, content: p.prompt }]);
  const answered = answers.map(answerTurns);
  return { direction, prompts: asked, answers: answered, baseLast: await lastProjections(base, asked, direction), baseReply: await replyProjections(base, answered, direction) };
}

const meanOf = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);

export async function projectionShifts(model: OrganismModel, ref: ShiftReference): Promise<{ projection: number | null; lastPosition: number | null }> {
  const reply = await replyProjections(model, ref.answers, ref.direction);
  const last = await lastProjections(model, ref.prompts, ref.direction);
  const replyShifts = reply.flatMap((p, i) => (p === null || ref.baseReply[i] === null ? [] : [p - ref.baseReply[i]!]));
  return { projection: meanOf(replyShifts), lastPosition: meanOf(last.map((p, i) => p - ref.baseLast[i]!)) };
}
