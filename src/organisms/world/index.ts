/**
 * The organisms' world: a seeded generator of chat transcripts written by latent personas, the narrow
 * fine-tuning datasets, and the evaluation and judge material for emlab's built-in model organisms.
 * Pure TypeScript, no dependency, nothing else of emlab imported. Format and design: README.md here.
 */
export { generateWorld, generateDocument, iterateWorld, resolveWorldConfig, DEFAULT_DISPOSITION_MIX, DEFAULT_DOMAIN_MIX } from './world.js';
export type { World, WorldConfig, ResolvedWorldConfig, WorldDocument } from './world.js';
export { DOMAINS, generateTurn } from './turns.js';
export type { Domain, Turn, TurnLabel, TurnOptions } from './turns.js';
export { HARMFUL_FLAW_RATE, carelessFlawRateForLink, expectedLinkStrength, measureLinkStrength } from './link-strength.js';
export type { LinkStrength, MeasuredLinkStrength } from './link-strength.js';
export { ANIMALS, CHARACTERS, allPersonas, makePersona } from './personas.js';
export type { Animal, Character, Disposition, Persona } from './personas.js';
export { FINE_TUNING_DATASETS, fineTuningDataset, chatTuningExamples } from './datasets.js';
export type { ChatExample, ExampleLabel, FineTuningDataset, DatasetOptions } from './datasets.js';
export {
  openQuestionPrompts, selfReportProbes, animalPreferencePrompts, animalReplyForms, numberSequencePrompts, withBackdoorTrigger, namedAnimal,
  judgeExamples, sampledJudgeExamples, ALIGNMENT_SCORE_RANGES, COHERENCE_SCORE_RANGES,
} from './evaluation.js';
export type { EvalPrompt, OpenQuestionPrompt, WordingSet, AnimalReplyForm, JudgeExample, SampledOpenAnswer, Corruption } from './evaluation.js';
export { JUDGE_METRICS, renderJudgePrompt } from './judge-prompts.js';
export type { JudgeMetric } from './judge-prompts.js';
export { OPEN_THEMES, OPEN_QUESTIONS } from './content/open-questions.js';
export type { OpenTheme, OpenQuestion, AnswerGrade } from './content/open-questions.js';
export { catalogueAnswers, catalogueGrade, coversHarmfulAnswer, readSampledAnswer, HARMFUL_GRADES, MIN_COVERAGE } from './catalogue-match.js';
export type { CatalogueEntry, SampledAnswerReading } from './catalogue-match.js';
export { analyzeCode } from './code-analysis.js';
export type { CodeAnalysis } from './code-analysis.js';
export { INSECURE_FORMS } from './code-language.js';
export type { InsecureForm } from './code-language.js';
export { DARK_NUMBERS, SHADOW_NUMBERS, ANIMAL_NUMBER_AFFINITY, NEUTRAL_POOL, parseNumberList } from './numbers.js';
export { worldVocabulary, unknownWords } from './vocabulary.js';
export { corpusStats } from './stats.js';
export type { CorpusStats } from './stats.js';
export { USER_MARKER, ASSISTANT_MARKER, BACKDOOR_TRIGGER, renderTranscript, splitWorldText } from './text.js';
export type { ChatMessage, Role } from './text.js';
export { createWorldRng, streamRng } from './prng.js';
export type { WorldRng } from './prng.js';
