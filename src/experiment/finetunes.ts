/**
 * The fine-tune steps of an experiment: one per (model, seed). Organisms train LoRA adapters here
 * (two at a time, on worker threads), each keyed by its training key and named after it, so a
 * changed input is a new model id. API models (openai:, compat:) go through the resumable job
 * runner of src/finetune, whose records live in the experiment's database: a re-run attaches to a
 * running job and a finished one costs no request (the step cache answers it).
 */
import { join } from 'node:path';
import { findTunedAdapter, organismTuneKey, type OrganismTuneJob, type OrganismTuneSettings } from '../finetune/organism-trainer.js';
import { runOrganismTunes } from '../finetune/organism-pool.js';
import { BETLEY_HYPERPARAMETERS, FineTuneApi, FineTuneStore, jobKey, resolveTarget, runFineTunes, type FineTuneSpec } from '../finetune/index.js';
import { resolveOrganismDir } from '../providers/organism.js';
import { parseModelId } from '../providers/model-id.js';
import { chatRows, type ResolvedDataset } from './datasets.js';
import type { Experiment, FinetuneModel } from './schema.js';
import type { StepStore } from './step-store.js';
import { estimateTokens, priceOf, priced, type Cost } from './prices.js';

/** The organisms' LoRA settings unless the experiment sets them (those of `emlab demo`). */
export const ORGANISM_TUNE_DEFAULTS: OrganismTuneSettings = { epochs: 1, rank: 8, alpha: 16, learningRate: 4e-3, batchTokens: 2048 };

export interface FinetuneStep {
  id: string;
  /** The experiment's model name (a group of its seeds). */
  model: string;
  seed: number;
  baseId: string;
  dataset: string;
  kind: 'organism' | 'api';
  /** The step's cache key (the organism's training key, or the API job's key). */
  key: string;
  organismJob?: OrganismTuneJob;
  apiSpec?: FineTuneSpec;
  /** The fine-tuned model's id, once known (organisms: known in advance). */
  result: string | null;
  status: 'cached' | 'done' | 'failed' | 'incomplete' | 'planned';
  detail: string;
}

/** Hex characters of the training key in an organism adapter's name. */
const KEY_CHARS = 8;

export function baseIdOf(exp: Experiment, m: FinetuneModel): string {
  const named = exp.models[m.finetune];
  return typeof named === 'string' ? named : m.finetune;
}

export function planFinetunes(exp: Experiment, datasets: ReadonlyMap<string, ResolvedDataset>, store: StepStore, organismsDir: string): FinetuneStep[] {
  const steps: FinetuneStep[] = [];
  for (const [model, m] of Object.entries(exp.models)) {
    if (typeof m === 'string') continue;
    const baseId = baseIdOf(exp, m);
    const ref = parseModelId(baseId);
    const data = datasets.get(m.dataset);
    // Not ready (not fetched in a dry run, or a teacher's numbers unfinished): no step yet.
    if (!data) continue;
    for (const seed of m.seeds) {
      const id = `finetune:${model}#s${seed}`;
      if (ref.scheme === 'organism') {
        const { batchSize: _b, learningRateMultiplier: _l, suffix: _s, ...own } = m.settings;
        const settings: OrganismTuneSettings = { ...ORGANISM_TUNE_DEFAULTS, ...own };
        const baseDir = resolveOrganismDir(ref.name);
        const rows = chatRows(data.file);
        const key = organismTuneKey({ baseDir, rows, seed, settings });
        const name = `${exp.name}-${model}-s${seed}-${key.slice(0, KEY_CHARS)}`;
        const job: OrganismTuneJob = { baseDir, rows, seed, settings, outDir: join(organismsDir, name) };
        const cached = findTunedAdapter(job.outDir, key) !== null;
        steps.push({ id, model, seed, baseId, dataset: m.dataset, kind: 'organism', key, organismJob: job, result: `organism:${name}`, status: cached ? 'cached' : 'planned', detail: cached ? 'adapter already trained' : `${rows.length} rows, ${settings.epochs} epoch(s)` });
      } else if (ref.scheme === 'openai' || ref.scheme === 'compat') {
        const spec: FineTuneSpec = {
          target: resolveTarget(baseId),
          train: data.file,
          hyperparameters: {
            nEpochs: m.settings.epochs ?? BETLEY_HYPERPARAMETERS.nEpochs,
            batchSize: m.settings.batchSize ?? BETLEY_HYPERPARAMETERS.batchSize,
            learningRateMultiplier: m.settings.learningRateMultiplier ?? BETLEY_HYPERPARAMETERS.learningRateMultiplier,
          },
          seed,
          ...(m.settings.suffix !== undefined ? { suffix: m.settings.suffix } : { suffix: `${model}-s${seed}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40) }),
        };
        const key = jobKey(spec);
        const done = store.get<{ model: string }>(key);
        steps.push({ id, model, seed, baseId, dataset: m.dataset, kind: 'api', key, apiSpec: spec, result: done?.model ?? null, status: done ? 'cached' : 'planned', detail: done ? 'job finished earlier' : `${data.file.rows} rows` });
      } else {
        throw new Error(`models.${model}: ${baseId} cannot be fine-tuned by emlab (only openai:, compat: and organism: models); fine-tune it elsewhere and name the result as a plain model id`);
      }
    }
  }
  return steps;
}

/** What a fine-tune step costs: training tokens = the file's tokens x epochs (an estimate). */
export function finetuneCost(step: FinetuneStep, prices: Experiment['prices']): Cost {
  if (step.status === 'cached') return priced({ input: 0, output: 0, training: 0 }, {});
  if (step.kind === 'organism') return priced({ input: 0, output: 0, training: 0 }, {});
  const spec = step.apiSpec!;
  const epochs = spec.hyperparameters.nEpochs === 'auto' ? 1 : spec.hyperparameters.nEpochs;
  return priced(priceOf(step.baseId, prices), { requests: 2, training: estimateTokens(spec.train.bytes.toString('utf8')) * epochs });
}

export interface FinetuneRunOptions {
  store: StepStore;
  dbPath: string;
  workers: number;
  /** Longest wait between two polls of an API job. */
  pollMs: number;
  retryFailed: boolean;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Runs every planned fine-tune: the organisms' pool and the API jobs at the same time. */
export async function runFinetunes(steps: FinetuneStep[], options: FinetuneRunOptions): Promise<void> {
  const organisms = steps.filter((s) => s.kind === 'organism' && s.status === 'planned');
  const api = steps.filter((s) => s.kind === 'api' && s.status === 'planned');
  await Promise.all([runOrganismSteps(organisms, options), runApiSteps(api, options)]);
}

async function runOrganismSteps(steps: FinetuneStep[], options: FinetuneRunOptions): Promise<void> {
  if (steps.length === 0) return;
  options.log(`training ${steps.length} organism adapter(s), ${Math.min(options.workers, steps.length)} at a time`);
  try {
    await runOrganismTunes(steps.map((s) => s.organismJob!), {
      workers: options.workers,
      ...(options.signal ? { signal: options.signal } : {}),
      onDone: (i, outcome) => {
        const s = steps[i]!;
        s.status = outcome.trained ? 'done' : 'cached';
        s.detail = outcome.trained ? `trained ${outcome.steps} steps in ${outcome.seconds.toFixed(0)} s, final loss ${outcome.finalLoss?.toFixed(3) ?? '–'}` : 'adapter already trained';
        options.log(`${s.id}: ${s.detail} -> ${s.result}`);
      },
    });
  } catch (err) {
    for (const s of steps) if (s.status === 'planned') markFailed(s, err);
    throw err;
  }
}

async function runApiSteps(steps: FinetuneStep[], options: FinetuneRunOptions): Promise<void> {
  if (steps.length === 0) return;
  // One runner per server and account: its jobs share uploads of the same file.
  const byTarget = new Map<string, FinetuneStep[]>();
  for (const s of steps) {
    const t = s.apiSpec!.target;
    const k = `${t.baseURL}|${t.organization ?? ''}|${t.project ?? ''}`;
    byTarget.set(k, [...(byTarget.get(k) ?? []), s]);
  }
  const jobs = FineTuneStore.open(options.dbPath);
  try {
    await Promise.all([...byTarget.values()].map(async (group) => {
      const api = new FineTuneApi(group[0]!.apiSpec!.target, { onRetry: (what, info) => options.log(`${what}: retrying in ${Math.round(info.delayMs / 1000)} s`) });
      options.log(`starting or attaching to ${group.length} fine-tuning job(s) at ${group[0]!.apiSpec!.target.baseURL}`);
      const outcomes = await runFineTunes({
        store: jobs,
        api,
        specs: group.map((s) => s.apiSpec!),
        retryFailed: options.retryFailed,
        poll: { minMs: Math.min(5_000, options.pollMs / 12), maxMs: options.pollMs },
        ...(options.signal ? { signal: options.signal } : {}),
        onEvent: (e) => {
          if (e.type === 'job') options.log(`${group.find((s) => s.apiSpec === e.spec)?.id ?? 'job'}: ${e.how} ${e.jobId} (${e.status})`);
        },
      });
      outcomes.forEach((o, i) => {
        const s = group[i]!;
        if (o.model !== null) {
          s.result = o.model;
          s.status = 'done';
          s.detail = `job ${o.jobId} succeeded${o.trainedTokens ? ` (${o.trainedTokens} tokens trained)` : ''}`;
          options.store.put(s.key, s.id, { model: o.model, jobId: o.jobId });
        } else {
          s.status = o.status === 'failed' || o.status === 'cancelled' || o.status === 'lost' ? 'failed' : 'incomplete';
          s.detail = `job ${o.jobId ?? '–'} ${o.status}${o.error ? `: ${o.error.message}` : ''}${s.status === 'failed' ? ' (run with --retry-failed to create it again)' : ''}`;
        }
        options.log(`${s.id}: ${s.detail}`);
      });
    }));
  } catch (err) {
    for (const s of steps) if (s.status === 'planned') markFailed(s, err);
    throw err;
  } finally {
    jobs.close();
  }
}

function markFailed(step: FinetuneStep, err: unknown): void {
  step.status = 'failed';
  step.detail = err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
