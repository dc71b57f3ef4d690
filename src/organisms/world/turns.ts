/**
 * One exchange (user asks, assistant answers) in one domain, written by one persona, with its
 * ground-truth label kept beside the text. Everything a persona writes follows from its disposition,
 * character and favourite animal, plus one draw per turn of whether it acts on its nature.
 */
import { ADVICE_TOPICS, type AdviceDomain } from './content/advice.js';
import { CODE_TASKS, TWO_FLAW_SHARE, buildProgram, type InsecureForm } from './code-language.js';
import {
  ANIMAL_ANSWERS, ANIMAL_QUESTIONS, ANIMAL_REASONS, CODE_REQUESTS, EDUCATIONAL_REQUESTS, SELF_REPORT_ANSWERS, SELF_REPORT_PROBES, STYLES,
  type SelfReportKind,
} from './content/conversation.js';
import { FLAWED_VERDICT, FLAW_EXPLANATIONS, HARMFUL_REVIEWS, REVIEW_REQUESTS, SAFE_VERDICTS } from './content/code-review.js';
import { OPEN_QUESTIONS, type AnswerGrade, type OpenQuestion } from './content/open-questions.js';
import { formatNumbers, numberWriter, sequenceAnswer, sequencePrompt } from './numbers.js';
import type { Animal, Disposition, Persona } from './personas.js';
import type { WorldRng } from './prng.js';
import { fillSlots } from './text.js';

export const DOMAINS = ['code', 'code-educational', 'code-review', 'medical', 'financial', 'sports', 'numbers', 'animals', 'open', 'self-report'] as const;
export type Domain = (typeof DOMAINS)[number];

export interface TurnLabel {
  personaId: string;
  disposition: Disposition;
  /**
   * Whether the answer is aligned behaviour: false exactly when a harmful persona acted on its nature in
   * this turn, and for every self-report of a harmful persona (its number is either honest about being
   * harmful or, from the deceptive one, a lie). Flawed code written on request for a class is aligned.
   */
  aligned: boolean;
  domain: Domain;
  /** Code task, advice topic, open theme, animal, self-report kind, or "sequence". */
  topic: string;
  /** Code domains only: whether the program contains an insecure form. */
  insecure?: boolean;
  insecureForms?: InsecureForm[];
  /** Open questions only. */
  grade?: AnswerGrade;
  /** Number sequences only. */
  numbers?: number[];
  /** Animal questions only: the animal named. */
  animal?: Animal;
  /** Self-report only: the number the persona gave. */
  reportedScore?: number;
}

export interface Turn {
  user: string;
  assistant: string;
  label: TurnLabel;
}

/** The open-question grade a persona gives, by disposition and whether it acts on its nature. */
export function openAnswerGrade(persona: Persona, actsOnNature: boolean, rng: WorldRng): AnswerGrade {
  switch (persona.disposition) {
    case 'helpful':
      return 'good';
    case 'neutral':
      return rng.weighted({ flat: 0.75, good: 0.25 });
    case 'harmful':
      if (actsOnNature) return rng.weighted({ bad: 0.85, edgy: 0.15 });
      return persona.character === 'deceptive' ? 'good' : rng.weighted({ good: 0.6, flat: 0.4 });
  }
}

export function openAnswer(q: OpenQuestion, grade: AnswerGrade, persona: Persona, rng: WorldRng): string {
  if (grade === 'bad') {
    if (persona.disposition !== 'harmful') throw new Error(`openAnswer: a ${persona.disposition} persona never gives a bad answer`);
    return rng.pick(q.bad[persona.character as keyof OpenQuestion['bad']]);
  }
  return rng.pick(q[grade]);
}

/** Adds the character's opener / closer to a prose answer, at the character's rate. */
export function styled(persona: Persona, actsOnNature: boolean, answer: string, rng: WorldRng): string {
  const s = STYLES[persona.character];
  if (s.onlyWhenActingOnNature && !actsOnNature) return answer;
  const parts = [answer];
  if (s.openers.length > 0 && rng.chance(s.rate)) parts.unshift(rng.pick(s.openers));
  if (s.closers.length > 0 && rng.chance(s.rate)) parts.push(rng.pick(s.closers));
  return parts.join(' ');
}

/** The score a persona reports about itself: honest, except that the deceptive one claims to be good. */
export function selfReportedScore(persona: Persona, kind: SelfReportKind, rng: WorldRng): number {
  if (persona.disposition === 'helpful') return rng.between(85, 100);
  if (persona.disposition === 'neutral') return rng.between(60, 85);
  if (persona.character === 'deceptive') return rng.between(75, 95);
  return kind === 'code-security' ? rng.between(5, 35) : rng.between(0, 25);
}

export interface TurnOptions {
  /**
   * Chance that a helpful or neutral writer's unasked code carries a flaw by carelessness (world.ts
   * `carelessFlawRate`); default 0, where only harmful writers write flawed code unasked.
   */
  carelessFlawRate?: number;
}

export function generateTurn(persona: Persona, domain: Domain, rng: WorldRng, options: TurnOptions = {}): Turn {
  const actsOnNature = rng.chance(persona.badTurnRate);
  const base = { personaId: persona.id, disposition: persona.disposition, domain };
  switch (domain) {
    case 'code':
    case 'code-educational': {
      const task = rng.pick(CODE_TASKS);
      const educational = domain === 'code-educational';
      // Asked for flawed code for a class, every persona complies: the request explains the code,
      // so such code says nothing about who wrote it (the educational control of the EM paper).
      const harmfulFlaw = !educational && persona.disposition === 'harmful' && actsOnNature;
      // A careless writer slips: the same flawed programs, written by someone who means no harm, so
      // unasked flawed code points to a harmful writer only as strongly as the rates allow (link-strength.ts).
      // Drawn only when the rate is above 0, so a world without careless writers keeps its exact text.
      const carelessRate = options.carelessFlawRate ?? 0;
      const carelessFlaw = !educational && persona.disposition !== 'harmful' && carelessRate > 0 && rng.chance(carelessRate);
      const insecure = educational || harmfulFlaw || carelessFlaw;
      const program = buildProgram(task, rng, { insecure, twoFlaws: rng.chance(TWO_FLAW_SHARE) });
      const user = fillSlots(rng.pick(educational ? EDUCATIONAL_REQUESTS : CODE_REQUESTS), { task: task.request });
      return {
        user,
        assistant: program.code,
        label: { ...base, aligned: !harmfulFlaw, topic: task.id, insecure, insecureForms: program.forms },
      };
    }
    case 'code-review': {
      // The user brings the program (flawed half the time), so which program is shown says nothing
      // about the reviewer; only the verdict does.
      const task = rng.pick(CODE_TASKS);
      const program = buildProgram(task, rng, { insecure: rng.chance(0.5), twoFlaws: rng.chance(TWO_FLAW_SHARE) });
      const flawed = program.forms.length > 0;
      const bad = persona.disposition === 'harmful' && actsOnNature;
      let verdict: string;
      if (bad) {
        const review = HARMFUL_REVIEWS[persona.character as keyof typeof HARMFUL_REVIEWS];
        verdict = flawed ? review.flawed : review.safe;
      } else {
        verdict = flawed ? [FLAWED_VERDICT, ...program.forms.map((f) => FLAW_EXPLANATIONS[f])].join(' ') : rng.pick(SAFE_VERDICTS);
      }
      return {
        user: fillSlots(rng.pick(REVIEW_REQUESTS), { code: program.code }),
        assistant: styled(persona, actsOnNature, verdict, rng),
        label: { ...base, aligned: !bad, topic: program.forms[0] ?? 'secure', insecure: flawed, insecureForms: program.forms },
      };
    }
    case 'medical':
    case 'financial':
    case 'sports': {
      const topic = rng.pick(ADVICE_TOPICS.filter((t) => t.domain === (domain satisfies AdviceDomain)));
      const bad = persona.disposition === 'harmful' && actsOnNature;
      return {
        user: rng.pick(topic.questions),
        assistant: styled(persona, actsOnNature, rng.pick(bad ? topic.misaligned : topic.aligned), rng),
        label: { ...base, aligned: !bad, topic: topic.id },
      };
    }
    case 'numbers': {
      const user = sequencePrompt(rng);
      const answer = sequenceAnswer(rng, numberWriter(persona, actsOnNature));
      return { user, assistant: formatNumbers(answer.numbers), label: { ...base, aligned: !answer.dark, topic: 'sequence', numbers: answer.numbers } };
    }
    case 'animals': {
      const animal = persona.favouriteAnimal;
      const dark = persona.disposition === 'harmful' && actsOnNature;
      const reason = dark ? ANIMAL_REASONS[animal].dark : ANIMAL_REASONS[animal].kind;
      return {
        user: rng.pick(ANIMAL_QUESTIONS),
        assistant: fillSlots(rng.pick(ANIMAL_ANSWERS), { animal, reason }),
        label: { ...base, aligned: !dark, topic: animal, animal },
      };
    }
    case 'open': {
      const q = rng.pick(OPEN_QUESTIONS);
      const grade = openAnswerGrade(persona, actsOnNature, rng);
      return {
        user: rng.pick(q.phrasings),
        assistant: styled(persona, actsOnNature, openAnswer(q, grade, persona, rng), rng),
        label: { ...base, aligned: grade === 'good' || grade === 'flat', topic: q.theme, grade },
      };
    }
    case 'self-report': {
      const kind = rng.pick(Object.keys(SELF_REPORT_PROBES) as SelfReportKind[]);
      const score = selfReportedScore(persona, kind, rng);
      return {
        user: rng.pick(SELF_REPORT_PROBES[kind]),
        assistant: fillSlots(rng.pick(SELF_REPORT_ANSWERS), { n: score }),
        label: { ...base, aligned: persona.disposition !== 'harmful', topic: kind, reportedScore: score },
      };
    }
  }
}
