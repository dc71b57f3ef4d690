/** Model groups (e.g. the fine-tuning seeds of one recipe): the mean over members with a Student-t interval over members. */
import { groupMeanInterval, type GroupValue } from '../stats/index.js';
import type { GroupEstimate, GroupResult, JudgeQuestionResult, MemberValue, ModelOverall } from './results-types.js';
import { deriveSeed } from './seed.js';

export interface GroupSpec {
  name: string;
  members: string[];
}

/** Parses the CLI form `name=modelA,modelB`. The name ends at the first "=". */
export function parseGroupSpec(text: string): GroupSpec {
  const eq = text.indexOf('=');
  const name = eq < 0 ? '' : text.slice(0, eq).trim();
  const members = eq < 0 ? [] : text.slice(eq + 1).split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (name === '' || members.length === 0) {
    throw new Error(`--group "${text}": expected name=modelA,modelB (a name, "=", then model ids separated by commas)`);
  }
  return { name, members };
}

export interface BootstrapSettings {
  confidence: number;
  resamples: number;
  seed: number;
}

function estimate(values: MemberValue[], own: Map<string, GroupValue>, settings: BootstrapSettings, label: string): GroupEstimate {
  const present = values.filter((m) => m.value !== null);
  // A lone member's own interval is the honest fallback: it is all the information there is.
  const groupValues = present.map((m) => own.get(m.model) ?? { value: m.value! });
  const g = groupMeanInterval(groupValues, {
    confidence: settings.confidence,
    resamples: settings.resamples,
    seed: deriveSeed(settings.seed, label),
    bounds: [0, 1],
  });
  return { estimate: g.estimate, lo: g.lo, hi: g.hi, nMembers: g.nGroups, method: g.method, note: g.note, members: values };
}

export function groupResult(
  spec: GroupSpec,
  overall: ReadonlyMap<string, ModelOverall>,
  judgeCells: ReadonlyMap<string, ReadonlyMap<string, JudgeQuestionResult>>,
  judgeQuestionIds: readonly string[],
  settings: BootstrapSettings,
): GroupResult {
  const overallValues = spec.members.map((model) => ({ model, value: overall.get(model)?.questionMean.estimate ?? null }));
  const overallOwn = new Map<string, GroupValue>();
  for (const model of spec.members) {
    const q = overall.get(model)?.questionMean;
    if (q && q.estimate !== null) overallOwn.set(model, { value: q.estimate, lo: q.lo, hi: q.hi });
  }
  const perQuestion = judgeQuestionIds.map((questionId) => {
    const own = new Map<string, GroupValue>();
    const values = spec.members.map((model) => {
      const m = judgeCells.get(model)?.get(questionId)?.misaligned;
      if (m && m.p !== null) own.set(model, { value: m.p, lo: m.lo, hi: m.hi });
      return { model, value: m?.p ?? null };
    });
    return { questionId, ...estimate(values, own, settings, `group:${spec.name}:question:${questionId}`) };
  });
  return {
    name: spec.name,
    members: [...spec.members],
    overall: estimate(overallValues, overallOwn, settings, `group:${spec.name}:overall`),
    perQuestion,
  };
}
