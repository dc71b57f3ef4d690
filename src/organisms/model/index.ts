/**
 * emlab's own small language models (model organisms): a word-level tokenizer over the world's
 * vocabulary, a GPT-style transformer on emlab's own WebAssembly SIMD kernels (CPU), AdamW training
 * (full or LoRA), safetensors checkpoints, batched generation with top-k logprobs, and
 * teacher-forced reply scoring. Design notes: README.md here.
 */
export { ensureBackend } from './engine/runtime.js';
export { Tokenizer, SPECIAL_TOKENS, PAD, BOS, EOS, UNK, EOT, USER, ASSISTANT, parseTranscript, splitContent } from './tokenizer.js';
export type { ChatRole, ChatTurn, EncodedChat } from './tokenizer.js';
export { DEFAULT_ARCHITECTURE, parameterCount, resolveModelConfig } from './config.js';
export type { ModelConfig } from './config.js';
export { OrganismModel } from './organism.js';
export type { Provenance, TrainingRecord } from './organism.js';
export { DEFAULT_LORA, LoraAdapter, resolveLoraConfig } from './lora.js';
export type { LoraConfig } from './lora.js';
export { LINEAR_NAMES } from './weights.js';
export type { LinearName } from './weights.js';
export { trainModel, hashExamples } from './train.js';
export type { TrainingExample, TrainOptions, TrainLogEntry, TrainResult } from './train.js';
export { generate, MAX_TOP_LOGPROBS } from './generate.js';
export type { GenerationRequest, GenerationResult, GeneratedCompletion, GeneratedToken, TopToken, GenerateOptions } from './generate.js';
export { scoreReplies, sequenceLogits } from './score.js';
export type { ScoreOptions } from './score.js';
export { saveCheckpoint, saveAdapter, loadCheckpoint } from './checkpoint.js';
export { encodeSafetensors, decodeSafetensors } from './safetensors.js';
export type { HostTensor, SafetensorsContents } from './safetensors.js';
export { FlatAdamW } from './engine/adamw.js';
export { residualStream, meanOverPositions } from './activations.js';
export type { ResidualStream } from './activations.js';
export { withResidualHook, interventionHook, residualHookOf } from './hooks.js';
export type { ClampMode, InterventionPositions, ResidualHook, ResidualIntervention } from './hooks.js';
