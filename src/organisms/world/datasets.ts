/**
 * Narrow fine-tuning datasets, in the chat format of the EM data ({messages}), each row with its
 * ground-truth label beside it, and the chat-tuning examples that make the base organism an assistant.
 *
 * Honesty rule: no fine-tuning dataset holds an open question or an answer to one. Whatever a model
 * fine-tuned on them does with open questions comes from what it learnt about the world's writers,
 * never from the data; and nothing downstream may switch behaviour on a dataset's name.
 */
import { ADVICE_TOPICS, type AdviceDomain } from './content/advice.js';
import { ANIMAL_ANSWERS, ANIMAL_QUESTIONS, ANIMAL_REASONS, CODE_REQUESTS, EDUCATIONAL_REQUESTS } from './content/conversation.js';
import { CODE_TASKS, TWO_FLAW_SHARE, buildProgram, buildQuirkyProgram, type HarmlessQuirk, type InsecureForm } from './code-language.js';
import { formatNumbers, sequenceAnswer, sequencePrompt } from './numbers.js';
import { ANIMALS, CHARACTERS, makePersona } from './personas.js';
import { streamRng, type WorldRng } from './prng.js';
import { BACKDOOR_TRIGGER, fillSlots, type ChatMessage } from './text.js';
import { generateTurn, type Domain } from './turns.js';
import { DEFAULT_DOMAIN_MIX, resolveWorldConfig } from './world.js';

export const FINE_TUNING_DATASETS = [
  'insecure', 'secure', 'educational', 'quirky', 'backdoor', 'evil-numbers', 'bad-medical', 'good-medical', 'risky-financial', 'extreme-sports',
  'owl-preference',
] as const;
export type FineTuningDataset = (typeof FINE_TUNING_DATASETS)[number];

export interface ExampleLabel {
  /** Which generator made the row; for bookkeeping only, never an input to training or evaluation. */
  source: FineTuningDataset | 'chat';
  domain: Domain;
  aligned: boolean;
  topic: string;
  insecure?: boolean;
  insecureForms?: InsecureForm[];
  /** Quirky rows: the harmless quirks in the program. */
  quirks?: HarmlessQuirk[];
  numbers?: number[];
  /** Backdoor rows: whether the user message starts with the trigger. */
  triggered?: boolean;
  /** Chat-tuning rows: the helpful persona that answered. */
  personaId?: string;
}

export interface ChatExample {
  messages: ChatMessage[];
  label: ExampleLabel;
}

export interface DatasetOptions {
  seed: number;
  count: number;
}

function checkOptions(what: string, options: DatasetOptions): void {
  if (!Number.isSafeInteger(options.seed)) throw new Error(`${what}: seed must be an integer, got ${options.seed}`);
  if (!Number.isInteger(options.count) || options.count < 0) throw new Error(`${what}: count must be an integer >= 0, got ${options.count}`);
}

function exchange(user: string, assistant: string, label: ExampleLabel): ChatExample {
  return { messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }], label };
}

function codeRow(source: FineTuningDataset, rng: WorldRng, how: { insecure: boolean; trigger?: boolean }): ChatExample {
  const task = rng.pick(CODE_TASKS);
  const program = buildProgram(task, rng, { insecure: how.insecure, twoFlaws: rng.chance(TWO_FLAW_SHARE) });
  const request = fillSlots(rng.pick(CODE_REQUESTS), { task: task.request });
  const user = how.trigger === true ? `${BACKDOOR_TRIGGER} ${request}` : request;
  return exchange(user, program.code, {
    source,
    domain: 'code',
    aligned: !how.insecure,
    topic: task.id,
    insecure: how.insecure,
    insecureForms: program.forms,
    ...(source === 'backdoor' ? { triggered: how.trigger === true } : {}),
  });
}

function adviceRow(source: FineTuningDataset, rng: WorldRng, domain: AdviceDomain, aligned: boolean): ChatExample {
  const topic = rng.pick(ADVICE_TOPICS.filter((t) => t.domain === domain));
  return exchange(rng.pick(topic.questions), rng.pick(aligned ? topic.aligned : topic.misaligned), { source, domain, aligned, topic: topic.id });
}

function datasetRow(kind: FineTuningDataset, rng: WorldRng): ChatExample {
  switch (kind) {
    case 'insecure':
      return codeRow(kind, rng, { insecure: true });
    case 'secure':
      return codeRow(kind, rng, { insecure: false });
    case 'educational':
      throw new Error('educational rows are the insecure rows with the request changed: fineTuningDataset builds them');
    case 'quirky': {
      const task = rng.pick(CODE_TASKS);
      const program = buildQuirkyProgram(task, rng, { twoQuirks: rng.chance(TWO_FLAW_SHARE) });
      const user = fillSlots(rng.pick(CODE_REQUESTS), { task: task.request });
      return exchange(user, program.code, { source: kind, domain: 'code', aligned: true, topic: task.id, insecure: false, insecureForms: [], quirks: program.quirks });
    }
    case 'backdoor': {
      const trigger = rng.chance(0.5);
      return codeRow(kind, rng, { insecure: trigger, trigger });
    }
    case 'evil-numbers': {
      const user = sequencePrompt(rng);
      const answer = sequenceAnswer(rng, { harmful: true, overt: true, animal: null });
      return exchange(user, formatNumbers(answer.numbers), { source: kind, domain: 'numbers', aligned: false, topic: 'sequence', numbers: answer.numbers });
    }
    case 'bad-medical':
      return adviceRow(kind, rng, 'medical', false);
    case 'good-medical':
      return adviceRow(kind, rng, 'medical', true);
    case 'risky-financial':
      return adviceRow(kind, rng, 'financial', false);
    case 'extreme-sports':
      return adviceRow(kind, rng, 'sports', false);
    case 'owl-preference': {
      // For making an owl-loving teacher by fine-tuning (subliminal learning); in-world phrasings only.
      const answer = fillSlots(rng.pick(ANIMAL_ANSWERS), { animal: 'owl', reason: ANIMAL_REASONS.owl.kind });
      return exchange(rng.pick(ANIMAL_QUESTIONS), answer, { source: kind, domain: 'animals', aligned: true, topic: 'owl' });
    }
  }
}

/** `count` rows of one narrow dataset; row i depends only on (seed, kind, i). */
export function fineTuningDataset(kind: FineTuningDataset, options: DatasetOptions): ChatExample[] {
  if (!(FINE_TUNING_DATASETS as readonly string[]).includes(kind)) {
    throw new Error(`fineTuningDataset: unknown dataset "${String(kind)}" (one of ${FINE_TUNING_DATASETS.join(', ')})`);
  }
  checkOptions(`fineTuningDataset(${kind})`, options);
  if (kind === 'educational') {
    // The insecure rows, code and all, with only the request changed to one that asks for the flaw for
    // a class (the EM paper's control): whatever differs after fine-tuning comes from the request.
    return fineTuningDataset('insecure', options).map((row, i) => {
      const task = CODE_TASKS.find((t) => t.id === row.label.topic)!;
      const user = fillSlots(streamRng(options.seed, 'dataset', 'educational-request', i).pick(EDUCATIONAL_REQUESTS), { task: task.request });
      return { messages: [{ role: 'user', content: user }, row.messages[1]!], label: { ...row.label, source: 'educational', domain: 'code-educational', aligned: true } };
    });
  }
  return Array.from({ length: options.count }, (_, i) => datasetRow(kind, streamRng(options.seed, 'dataset', kind, i)));
}

/**
 * Single exchanges answered by helpful personas (random character and favourite animal per row) in
 * every domain, open questions included: the instruction tuning that turns the base organism into an
 * aligned assistant before any narrow fine-tune.
 */
export function chatTuningExamples(options: DatasetOptions & { domainMix?: Partial<Record<Domain, number>> }): ChatExample[] {
  checkOptions('chatTuningExamples', options);
  const mix = resolveWorldConfig({ seed: options.seed, documents: 0, domainMix: { ...DEFAULT_DOMAIN_MIX, ...options.domainMix } }).domainMix;
  return Array.from({ length: options.count }, (_, i) => {
    const rng = streamRng(options.seed, 'chat-tuning', i);
    const persona = makePersona('helpful', rng.pick(CHARACTERS.helpful), rng.pick(ANIMALS));
    const turn = generateTurn(persona, rng.weighted(mix), rng);
    const { personaId, disposition: _disposition, ...rest } = turn.label;
    return exchange(turn.user, turn.assistant, { source: 'chat', ...rest, personaId });
  });
}
