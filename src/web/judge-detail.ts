/**
 * What the judge saw and said for one answer: its probability over 0-100 read from the stored
 * alternatives (the first token's top-k, the teacher-forced replies, or the shares of sampled
 * replies), and the exact requests it was sent, found among the stored requests to the judge.
 */
import type { JudgmentRow, Store } from '../store/store.js';
import type { JudgeRequestView, JudgmentView } from './api-types.js';
import { cutText } from './samples.js';

interface StoredDetail {
  raw?: { token?: unknown; p?: unknown }[];
  codeMass?: unknown;
  refusalMass?: unknown;
  warning?: unknown;
  samples?: { replies?: unknown };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** An alternative that reads as a whole number 0-100 (" 85", "85", "+5"): the judge's scale. */
function numberOf(token: string): number | null {
  if (!/^\s*\+?\d{1,3}\s*$/.test(token)) return null;
  const n = Number(token.trim());
  return n >= 0 && n <= 100 ? n : null;
}

function alternatives(detail: StoredDetail): { token: string; p: number }[] {
  return (detail.raw ?? [])
    .filter((a) => typeof a.token === 'string' && num(a.p) !== null)
    .map((a) => ({ token: a.token as string, p: a.p as number }));
}

export function judgmentView(j: JudgmentRow): JudgmentView {
  const detail = (j.detail ?? {}) as StoredDetail;
  const top = alternatives(detail);
  const byValue = new Map<number, number>();
  for (const a of top) {
    const v = numberOf(a.token);
    if (v !== null) byValue.set(v, (byValue.get(v) ?? 0) + a.p);
  }
  return {
    metric: j.metric,
    judgeModel: j.judgeModel,
    method: j.method,
    score: j.score,
    flag: j.flag,
    category: j.category,
    numericMass: j.numericMass,
    bars: [...byValue.entries()].sort((a, b) => a[0] - b[0]).map(([value, p]) => ({ value, p })),
    codeMass: num(detail.codeMass),
    refusalMass: num(detail.refusalMass),
    // Most probable first; a teacher-forced judgment stores all 103 replies, most of them near 0.
    top: [...top].sort((a, b) => b.p - a.p).slice(0, 20),
    warning: typeof detail.warning === 'string' ? detail.warning : null,
  };
}

/** JSON string escaping of `text`, without the quotes: how it appears inside a stored request. */
function jsonFragment(text: string, maxChars: number): string {
  // Never cut a surrogate pair in two: the half would be escaped differently.
  return JSON.stringify(cutText(text, maxChars)).slice(1, -1);
}

interface StoredChatResponse {
  completions?: { text?: string; logprobs?: { top?: { token: string; logprob: number }[] }[] }[];
}

/** Whether a stored reply is the one a judgment was computed from. */
function replyMatches(kind: 'chat' | 'score', request: Record<string, unknown>, response: unknown, j: JudgmentRow): boolean {
  const detail = (j.detail ?? {}) as StoredDetail;
  const raw = alternatives(detail);
  const same = (got: { token: string; p: number }[]): boolean =>
    got.length === raw.length && got.every((g, i) => g.token === raw[i]!.token && Math.abs(g.p - raw[i]!.p) <= 1e-9 * Math.max(1, raw[i]!.p));
  if (kind === 'score') {
    const candidates = request['candidates'];
    if (!Array.isArray(response) || !Array.isArray(candidates)) return false;
    return same(candidates.map((token, i) => ({ token: String(token), p: Math.exp(num(response[i]) ?? Number.NEGATIVE_INFINITY) })));
  }
  const completion = (response as StoredChatResponse).completions?.[0];
  const top = completion?.logprobs?.[0]?.top;
  if (top !== undefined && j.method === 'logprob') return same(top.map((t) => ({ token: t.token, p: Math.exp(t.logprob) })));
  const replies = detail.samples?.replies;
  const seed = request['seed'];
  return j.method === 'sampled' && Array.isArray(replies) && typeof seed === 'number' && replies[seed] === completion?.text;
}

/**
 * The requests the judge was sent for this answer: the stored requests to the judge model that
 * contain the answer, each named by the judgment whose reply it gave. When some of them also hold
 * the question, only those are kept (the same answer may have been given to another question), and
 * when some reply matched a judgment of this answer, only those.
 */
export function judgeRequests(store: Store, judgeModel: string, sample: { answer: string; prompt: string }, judgments: readonly JudgmentRow[]): JudgeRequestView[] {
  const { answer, prompt } = sample;
  const found = store.requestsContaining(judgeModel, jsonFragment(answer, 4000), 200);
  const views: (JudgeRequestView & { matched: boolean; asked: boolean })[] = [];
  const seen = new Set<string>();
  for (const f of found) {
    const request = (f.request ?? {}) as Record<string, unknown>;
    const metric = judgments.find((j) => replyMatches(f.kind, request, f.response, j))?.metric ?? null;
    const { messages, candidates: _candidates, ...settings } = request;
    const shown = Array.isArray(messages)
      ? messages.map((m) => ({ role: String((m as { role?: unknown }).role ?? ''), content: String((m as { content?: unknown }).content ?? '') }))
      : [];
    // Sampled judgments send the same messages k times with seeds 0..k-1: show them once.
    const key = JSON.stringify([metric, shown, { ...settings, seed: undefined }]);
    if (seen.has(key)) continue;
    seen.add(key);
    views.push({ metric, kind: f.kind, messages: shown, settings, matched: metric !== null, asked: shown.some((m) => m.content.includes(prompt)) });
  }
  const prefer = <T>(list: T[], keep: (v: T) => boolean): T[] => (list.some(keep) ? list.filter(keep) : list);
  return prefer(prefer(views, (v) => v.asked), (v) => v.matched).map(({ matched: _m, asked: _a, ...v }) => v);
}
