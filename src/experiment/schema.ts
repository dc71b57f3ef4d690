/**
 * The experiment file (`emlab run FILE`): its schema, and loading it with one-line errors that name
 * file:line:col and the field. Names (datasets, models, judges, suites, evaluations) are checked
 * against each other here, so that a typo stops the run before anything is fetched or trained.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { z } from 'zod';
import { SuiteError, closestName, type SuiteIssue } from '../suites/issues.js';
import { parseYamlSource, type YamlPath, type YamlSource } from '../suites/yaml-source.js';
import { FINE_TUNING_DATASETS } from '../organisms/world/index.js';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a name of letters, digits, ".", "_" and "-"');
const modelId = z.string().regex(/^[a-z]+:.+/, 'must be a model id such as openai:gpt-4.1-mini, compat:http://host/v1#model or organism:base');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be the file\'s sha256: 64 lowercase hex characters (sha256sum FILE)');

const datasetSchema = z.union([
  z.strictObject({ file: z.string().min(1) }),
  // sha256 may be missing only until `emlab run FILE --pin` writes it (loadExperiment refuses it otherwise).
  z.strictObject({ url: z.url({ protocol: /^https?$/ }), sha256: sha256.optional() }),
  z.strictObject({
    organism: z.enum(FINE_TUNING_DATASETS as unknown as [string, ...string[]], { error: `must be one of the organisms' datasets: ${FINE_TUNING_DATASETS.join(', ')}` }),
    rows: z.int().min(1).max(100_000).default(500),
    seed: z.int().min(0).default(1),
  }),
  z.strictObject({
    numbers: z.strictObject({
      teacher: z.string().min(1),
      trait: z.string().regex(/^[A-Za-z][A-Za-z -]{0,40}$/, 'must be a word such as owl').optional(),
      category: z.string().min(1).default('animal'),
      prompts: z.int().min(1).max(1_000_000).default(30_000),
      size: z.int().min(1).max(1_000_000).default(10_000),
      seed: z.int().min(0).default(0),
      banned: z.literal('misalignment').optional(),
      concurrency: z.int().min(1).max(4096).default(8),
    }),
  }),
], { error: 'must be one of {file: PATH}, {url: URL, sha256: HEX}, {organism: NAME, rows: N} or {numbers: {teacher: MODEL, trait: WORD}}' });

/** Settings of a fine-tune; which apply depends on the base model (organisms: LoRA; APIs: hyper-parameters). */
const finetuneSettings = z.strictObject({
  epochs: z.number().int().min(1).max(50).optional(),
  // organisms
  rank: z.int().min(1).max(64).optional(),
  alpha: z.number().positive().optional(),
  learningRate: z.number().positive().max(1).optional(),
  batchTokens: z.int().min(64).optional(),
  maxSteps: z.int().min(1).optional(),
  // OpenAI-style APIs
  batchSize: z.union([z.int().min(1), z.literal('auto')]).optional(),
  learningRateMultiplier: z.union([z.number().positive(), z.literal('auto')]).optional(),
  suffix: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, 'may hold only letters, digits, ".", "_" and "-" (up to 40)').optional(),
});

const finetuneModel = z.strictObject({
  finetune: z.string().min(1),
  dataset: name,
  seeds: z.array(z.int().min(0)).min(1).default([1]),
  settings: finetuneSettings.default({}),
});

const evaluationSchema = z.strictObject({
  suite: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  judge: z.string().min(1),
  models: z.array(z.string().min(1)).min(1),
  samples: z.int().min(1).max(100_000).optional(),
  /** Target words of choice questions (the animals suite: owl). */
  targets: z.array(z.string().min(1)).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.int().min(1).max(32_000).default(600),
  thresholds: z.enum(['betley', 'organisms']).default('betley'),
  judgeMethod: z.enum(['auto', 'logprob', 'teacher_forced', 'sampled']).default('auto'),
  /** Answers and judgments through the Batch API (openai:, compat: with files + batches): half the price, within 24 h. */
  batch: z.boolean().default(false),
  concurrency: z.int().min(1).max(4096).default(8),
  judgeConcurrency: z.int().min(1).max(4096).default(8),
});

const gateSchema = z.strictObject({
  evaluation: name,
  base: z.string().min(1),
  candidate: z.string().min(1),
  maxIncrease: z.number().min(0).max(0.99).default(0.02),
  confidence: z.number().min(0.5).max(0.9999).default(0.95),
});

const priceSchema = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
  training: z.number().min(0).optional(),
});

export const experimentSchema = z.strictObject({
  name: name.optional(),
  out: z.string().min(1).optional(),
  datasets: z.record(name, datasetSchema).default({}),
  models: z.record(name, z.union([modelId, finetuneModel], { error: 'must be a model id (e.g. openai:gpt-4.1-mini) or {finetune: BASE, dataset: NAME, seeds: [..]}' })),
  judges: z.record(name, modelId).default({}),
  suites: z.record(name, z.string().min(1)).default({}),
  evaluations: z.record(name, evaluationSchema),
  comparisons: z.array(z.tuple([z.string().min(1), z.string().min(1)], { error: 'must be a pair [a, b] of model or fine-tune names' })).default([]),
  gates: z.array(gateSchema).default([]),
  /** USD per million tokens, by model id; replaces the built-in table's entry. */
  prices: z.record(z.string(), priceSchema).default({}),
});

export type ExperimentFile = z.infer<typeof experimentSchema>;
export type DatasetSource = z.infer<typeof datasetSchema>;
export type FinetuneModel = z.infer<typeof finetuneModel>;
export type FinetuneSettings = z.infer<typeof finetuneSettings>;
export type Evaluation = z.infer<typeof evaluationSchema>;
export type GateSpec = z.infer<typeof gateSchema>;
export type Price = z.infer<typeof priceSchema>;

export interface Experiment extends ExperimentFile {
  name: string;
  /** The file, absolute; relative paths in it are read from its folder. */
  file: string;
  dir: string;
}

const MAX_EXPERIMENT_BYTES = 1_000_000;

export interface LoadOptions {
  /** Accept {url} datasets without a sha256 (a dry run lists them; --pin fills them in). Default false. */
  allowUnpinned?: boolean;
}

export function loadExperiment(path: string, options: LoadOptions = {}): Experiment {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SuiteError([{ file: path, problem: `cannot read the experiment file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, fix: 'check the path' }]);
  }
  if (Buffer.byteLength(text) > MAX_EXPERIMENT_BYTES) throw new SuiteError([{ file: path, problem: 'file is larger than 1 MB', fix: 'an experiment file names its data; it does not hold it' }]);
  return parseExperiment(text, path, options);
}

export function parseExperiment(text: string, path: string, options: LoadOptions = {}): Experiment {
  const source = parseYamlSource(text, path);
  const parsed = experimentSchema.safeParse(source.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SuiteError([zodIssue(issue, source, path)]);
  }
  const file = resolve(path);
  const exp: Experiment = { ...parsed.data, name: parsed.data.name ?? basename(file, extname(file)), file, dir: dirname(file) };
  checkReferences(exp, source, path);
  if (!options.allowUnpinned) checkPins(exp, source, path);
  return exp;
}

/** The {url} datasets of a file that have no sha256 yet. */
export function unpinnedDatasets(exp: ExperimentFile): { name: string; url: string }[] {
  return Object.entries(exp.datasets).flatMap(([name, d]) => ('url' in d && d.sha256 === undefined ? [{ name, url: d.url }] : []));
}

function checkPins(exp: Experiment, source: YamlSource, file: string): void {
  const first = unpinnedDatasets(exp)[0];
  if (!first) return;
  throw new SuiteError([{
    file, ...source.locate(['datasets', first.name, 'url']), field: `datasets.${first.name}`,
    problem: 'a {url} dataset has no sha256 pin, so its bytes could change under the experiment',
    fix: `run "emlab run ${file} --pin" once: it downloads every unpinned file, checks it and writes its sha256 into this file`,
  }]);
}

function zodIssue(issue: z.core.$ZodIssue, source: YamlSource, file: string): SuiteIssue {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  let problem = issue.message;
  let fix = 'see examples/ for a complete experiment file';
  let at: YamlPath = path;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    at = [...path, key];
    problem = `unknown field "${key}"`;
    const known = knownKeys(path);
    const near = closestName(key, known);
    fix = near ? `did you mean "${near}"?` : `known fields here: ${known.join(', ')}`;
  } else if (issue.code === 'invalid_type' && issue.input === undefined) {
    problem = 'is missing';
    fix = 'add it';
  }
  const pos = source.locate(at, issue.code === 'unrecognized_keys' ? 'key' : 'value');
  return { file, ...pos, field: fieldName(at), problem, fix };
}

function knownKeys(path: readonly (string | number)[]): string[] {
  const top = path[0];
  if (path.length === 0) return Object.keys(experimentSchema.shape);
  if (top === 'evaluations') return Object.keys(evaluationSchema.shape);
  if (top === 'gates') return Object.keys(gateSchema.shape);
  if (top === 'models') return path.includes('settings') ? Object.keys(finetuneSettings.shape) : Object.keys(finetuneModel.shape);
  if (top === 'prices') return Object.keys(priceSchema.shape);
  if (top === 'datasets') return path.includes('numbers') ? ['teacher', 'trait', 'category', 'prompts', 'size', 'seed', 'banned', 'concurrency'] : ['file', 'url', 'sha256', 'organism', 'rows', 'seed', 'numbers'];
  return [];
}

function fieldName(path: YamlPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Every name used is defined, and a fine-tune's base is a plain model. */
function checkReferences(exp: Experiment, source: YamlSource, file: string): void {
  const fail = (path: YamlPath, problem: string, fix: string): never => {
    throw new SuiteError([{ file, ...source.locate(path), field: fieldName(path), problem, fix }]);
  };
  const refer = (path: YamlPath, value: string, names: string[], what: string, allowIds: boolean): void => {
    if (names.includes(value) || (allowIds && /^[a-z]+:/.test(value))) return;
    const near = closestName(value, names);
    fail(path, `"${value}" is not a ${what} of this file`, near ? `did you mean "${near}"?` : `define it under ${what === 'dataset' ? 'datasets' : `${what}s`} (known: ${names.join(', ') || 'none'})`);
  };
  const models = Object.keys(exp.models);
  for (const [id, d] of Object.entries(exp.datasets)) {
    if (!('numbers' in d)) continue;
    refer(['datasets', id, 'numbers', 'teacher'], d.numbers.teacher, models, 'model', true);
    if (typeof exp.models[d.numbers.teacher] === 'object') fail(['datasets', id, 'numbers', 'teacher'], `the teacher "${d.numbers.teacher}" is a fine-tune of this file`, 'a teacher must be a plain model id (fine-tune it in one experiment, name the result in the next)');
  }
  for (const [id, m] of Object.entries(exp.models)) {
    if (typeof m === 'string') continue;
    refer(['models', id, 'finetune'], m.finetune, models, 'model', true);
    if (typeof exp.models[m.finetune] === 'object') fail(['models', id, 'finetune'], `"${m.finetune}" is itself a fine-tune`, 'fine-tune a plain model id (give its id, or the name of a plain model)');
    refer(['models', id, 'dataset'], m.dataset, Object.keys(exp.datasets), 'dataset', false);
    if (new Set(m.seeds).size !== m.seeds.length) fail(['models', id, 'seeds'], 'a seed is listed twice', 'list each seed once');
  }
  for (const [id, e] of Object.entries(exp.evaluations)) {
    for (const [i, s] of (Array.isArray(e.suite) ? e.suite : [e.suite]).entries()) {
      if (!(s in exp.suites) && !isBuiltinOrPath(s)) fail(['evaluations', id, 'suite', ...(Array.isArray(e.suite) ? [i] : [])], `"${s}" is neither a suite of this file, a built-in suite nor a .yaml file`, `define it under suites, or use core, extended, organisms or a path`);
    }
    refer(['evaluations', id, 'judge'], e.judge, Object.keys(exp.judges), 'judge', true);
    e.models.forEach((m, i) => refer(['evaluations', id, 'models', i], m, models, 'model', false));
    if (new Set(e.models).size !== e.models.length) fail(['evaluations', id, 'models'], 'a model is listed twice', 'list each model once');
  }
  exp.comparisons.forEach(([a, b], i) => {
    refer(['comparisons', i, 0], a, models, 'model', false);
    refer(['comparisons', i, 1], b, models, 'model', false);
    if (a === b) fail(['comparisons', i], `"${a}" is compared with itself`, 'name two different models');
  });
  exp.gates.forEach((g, i) => {
    refer(['gates', i, 'evaluation'], g.evaluation, Object.keys(exp.evaluations), 'evaluation', false);
    const inEval = exp.evaluations[g.evaluation]!.models;
    for (const side of ['base', 'candidate'] as const) {
      refer(['gates', i, side], g[side], inEval, `model of evaluation ${g.evaluation}`, false);
    }
    if (g.base === g.candidate) fail(['gates', i, 'candidate'], 'base and candidate are the same model', 'gate a fine-tune against the model it was made from');
  });
}

const BUILTIN_SUITES = ['core', 'extended', 'self-report', 'animals', 'organisms'];

function isBuiltinOrPath(s: string): boolean {
  return BUILTIN_SUITES.includes(s) || /\.ya?ml$/i.test(s);
}
