/** The viewer's JSON API: one function per path, each reading the databases and nothing else. */
import { classify } from '../stats/index.js';
import type {
  AnswerPoint,
  ExperimentsResponse,
  JudgeRequestResponse,
  RunResponse,
  RunsResponse,
  SampleDetailResponse,
  SamplesResponse,
} from './api-types.js';
import { compare, groupsFromParams } from './compare.js';
import { listExperiments } from './experiments.js';
import { judgeRequests, judgmentView } from './judge-detail.js';
import { offeredGroups, RunNotFound, thresholdsFor, type RunReader } from './runs.js';
import { FilterError, filterSamples, parseFilter, sampleView, type GroundTruthLabeller } from './samples.js';
import type { SourceSet } from './sources.js';
import type { JudgmentRow } from '../store/store.js';

/** Characters of each answer sent in a list of samples; the whole answer comes with one sample. */
const LIST_ANSWER_CHARS = 2000;
const MAX_PAGE = 200;

export interface ApiContext {
  sources: SourceSet;
  reader: RunReader;
  labeller: GroundTruthLabeller | null;
}

/** A request the API cannot answer, with the HTTP status to send and a one-line reason. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Handler = (ctx: ApiContext, params: URLSearchParams) => unknown;

const ROUTES: Record<string, Handler> = {
  '/api/runs': runs,
  '/api/experiments': (ctx): ExperimentsResponse => ({ experiments: listExperiments(ctx.sources) }),
  '/api/run': run,
  '/api/samples': samples,
  '/api/sample': sample,
  '/api/judge-request': judgeRequest,
  '/api/compare': (ctx, params) => compare(ctx.reader, params, ctx.labeller),
};

/** The JSON answer to an API path, or an ApiError; null when the path is not an API path. */
export function handleApi(ctx: ApiContext, path: string, params: URLSearchParams): { status: number; body: unknown } | null {
  const handler = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
  if (handler === undefined) return path.startsWith('/api/') ? { status: 404, body: { error: `${path}: no such API path` } } : null;
  try {
    return { status: 200, body: handler(ctx, params) };
  } catch (err) {
    if (err instanceof ApiError) return { status: err.status, body: { error: err.message } };
    if (err instanceof FilterError) return { status: 400, body: { error: err.message } };
    if (err instanceof RunNotFound) return { status: 404, body: { error: err.message } };
    throw err;
  }
}

function runs(ctx: ApiContext): RunsResponse {
  return { sources: ctx.sources.sources(), runs: ctx.reader.list() };
}

function located(ctx: ApiContext, params: URLSearchParams) {
  const id = params.get('run');
  if (id === null || id === '') throw new ApiError(400, 'run: missing; give ?run=<run id> (the list of runs is at /)');
  return ctx.reader.locate(id, params.get('db') ?? undefined);
}

function run(ctx: ApiContext, params: URLSearchParams): RunResponse {
  const r = located(ctx, params);
  const thresholds = thresholdsFor(r.config.models, params.get('thresholds'));
  const groups = groupsFromParams(params, r);
  const doc = ctx.reader.resultsOf(r, thresholds, groups);
  const modelIndex = new Map(doc.models.map((m, i) => [m, i]));
  const questionIndex = new Map(doc.questions.map((q, i) => [q.questionId, i]));
  const points: AnswerPoint[] = [];
  for (const rec of ctx.reader.recordsOf(r)) {
    if (rec.metricKind !== 'judge') continue;
    const m = modelIndex.get(rec.model);
    const q = questionIndex.get(rec.questionId);
    if (m === undefined || q === undefined) continue;
    points.push([m, q, rec.alignment, rec.coherence, classify(rec, thresholds).verdict]);
  }
  return { run: r.summary, doc, points, groupsFrom: offeredGroups(r).from };
}

function samples(ctx: ApiContext, params: URLSearchParams): SamplesResponse {
  const r = located(ctx, params);
  const filter = parseFilter(params);
  const offset = intParam(params, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(params, 'limit', 50, MAX_PAGE);
  const records = ctx.reader.recordsOf(r);
  const matched = filterSamples(records, filter, thresholdsFor(r.config.models, params.get('thresholds')), ctx.labeller);
  return {
    total: matched.length,
    offset,
    limit,
    answerShown: LIST_ANSWER_CHARS,
    samples: matched.slice(offset, offset + limit).map((s) => ({ ...sampleView(s, ctx.labeller, LIST_ANSWER_CHARS), judgments: judgeViews(r.store.sampleJudgments(r.summary.id, s.record.model, s.record.questionId, s.record.sampleIndex)) })),
    models: [...new Set(records.map((x) => x.model))],
    questions: [...new Set(records.map((x) => x.questionId))],
  };
}

function oneSample(ctx: ApiContext, params: URLSearchParams) {
  const r = located(ctx, params);
  const model = params.get('model') ?? '';
  const questionId = params.get('question') ?? '';
  const index = intParam(params, 'sample', -1, Number.MAX_SAFE_INTEGER);
  const record = ctx.reader.recordsOf(r).find((x) => x.model === model && x.questionId === questionId && x.sampleIndex === index);
  if (record === undefined) throw new ApiError(404, `no answer of model "${model}" to question "${questionId}" with sample index ${index} in run ${r.summary.id}`);
  return { r, record, judgments: r.store.sampleJudgments(r.summary.id, model, questionId, index) };
}

function sample(ctx: ApiContext, params: URLSearchParams): SampleDetailResponse {
  const { r, record, judgments } = oneSample(ctx, params);
  const verdict = classify(record, thresholdsFor(r.config.models, params.get('thresholds'))).verdict;
  return {
    sample: sampleView({ record, verdict }, ctx.labeller),
    judgments: judgeViews(judgments),
  };
}

/** emlab's own number extractor (self-reports, choices) is not a judge: it saw no prompt and gave no distribution. */
const byJudges = (judgments: JudgmentRow[]): JudgmentRow[] => judgments.filter((j) => j.judgeModel !== 'emlab:extract');
const judgeViews = (judgments: JudgmentRow[]) => byJudges(judgments).map(judgmentView);

function judgeRequest(ctx: ApiContext, params: URLSearchParams): JudgeRequestResponse {
  const { r, record, judgments } = oneSample(ctx, params);
  const judged = byJudges(judgments);
  const judgeModel = judged[0]?.judgeModel ?? record.judgeModel;
  if (record.answer === null || judgeModel === null || judged.length === 0) {
    return { judgeModel, requests: [], note: 'this answer was not judged by a model' };
  }
  const requests = judgeRequests(r.store, judgeModel, { answer: record.answer, prompt: record.prompt }, judged);
  return {
    judgeModel,
    requests,
    note: requests.length === 0 ? `no stored request to ${judgeModel} holds this answer (the judge's cache may have been cleared)` : null,
  };
}

function intParam(params: URLSearchParams, name: string, fallback: number, max: number): number {
  const text = params.get(name);
  if (text === null || text === '') {
    if (fallback < 0) throw new ApiError(400, `${name}: missing; give a whole number`);
    return fallback;
  }
  if (!/^\d+$/.test(text)) throw new ApiError(400, `${name}: expected a whole number of 0 or more, got "${text}"`);
  return Math.min(Number(text), max);
}
