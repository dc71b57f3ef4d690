/**
 * One measurement of the study: a model (base or adapter folder), optionally with interventions on
 * its residual stream, answers prompts and the judge reads the answers. Plain data in and out, so a
 * measurement can run in this thread or on a worker thread (measure-pool.ts); the worker keeps the
 * models it loaded (the judge, and the last few it answered with).
 */
import { interventionHook, loadCheckpoint, type OrganismModel, type ResidualIntervention } from '../../organisms/model/index.js';
import { readAnswers, sampleAnswers, type OpenPrompt, type ReadAnswer } from './answers.js';

export interface MeasureJob {
  /** A base checkpoint folder, or an adapter folder with `baseDir`. */
  modelDir: string;
  baseDir: string;
  judgeDir: string;
  prompts: OpenPrompt[];
  samples: number;
  seed: number;
  temperature: number;
  maxTokens: number;
  interventions: ResidualIntervention[];
}

/** Loaded models by folder, the judge's and the base's included; the oldest others are dropped past `keep`. */
export class ModelCache {
  private readonly models = new Map<string, Promise<OrganismModel>>();
  constructor(private readonly keep = 3) {}

  get(dir: string, baseDir: string): Promise<OrganismModel> {
    let m = this.models.get(dir);
    if (m === undefined) {
      m = dir === baseDir ? loadCheckpoint(dir) : loadCheckpoint(dir, { base: baseDir });
      this.models.set(dir, m);
      const others = [...this.models.keys()];
      while (others.length > this.keep + 2) {
        const old = others.shift()!;
        void this.models.get(old)?.then((x) => x.dispose());
        this.models.delete(old);
      }
    } else {
      // Most recently used last.
      this.models.delete(dir);
      this.models.set(dir, m);
    }
    return m;
  }

  dispose(): void {
    for (const m of this.models.values()) void m.then((x) => x.dispose());
    this.models.clear();
  }
}

export async function runMeasureJob(job: MeasureJob, cache: ModelCache, signal?: AbortSignal): Promise<ReadAnswer[]> {
  const model = await cache.get(job.modelDir, job.baseDir);
  const judge = await cache.get(job.judgeDir, job.judgeDir);
  const hook = job.interventions.length === 0 ? undefined : interventionHook(job.interventions, model.config.dModel);
  const answers = await sampleAnswers(model, job.prompts, { samples: job.samples, seed: job.seed, temperature: job.temperature, maxTokens: job.maxTokens, ...(hook ? { hook } : {}), ...(signal ? { signal } : {}) });
  return readAnswers(judge, answers);
}
