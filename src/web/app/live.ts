/**
 * A run in progress updates the view: the list of runs is polled, and when any run's counts or
 * status change, every page re-reads its data (the server re-reads the database only when it changed).
 */
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { RunsResponse } from '../api-types.js';
import { getJson } from './api.js';

const POLL_MS = 2000;

export interface Live {
  runs: RunsResponse | null;
  /** Changes whenever something in the databases changed. */
  tick: number;
  error: string | null;
}

export const LiveContext = createContext<Live>({ runs: null, tick: 0, error: null });

export function useLiveRuns(): Live {
  const [state, setState] = useState<Live>({ runs: null, tick: 0, error: null });
  useEffect(() => {
    let signature = '';
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      try {
        const runs = await getJson<RunsResponse>('/api/runs');
        const next = JSON.stringify([runs.runs.map((r) => [r.id, r.status, r.answered, r.failed, r.updatedAt]), runs.sources.map((s) => [s.path, s.error])]);
        if (!stopped) setState((s) => (next === signature ? (s.error === null ? s : { ...s, error: null }) : { runs, tick: s.tick + 1, error: null }));
        signature = next;
      } catch (err) {
        if (!stopped) setState((s) => ({ ...s, error: (err as Error).message }));
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return state;
}

export const useLive = (): Live => useContext(LiveContext);

/** Loads `path` with `params`, again whenever they or the databases change. */
export function useApi<T>(path: string | null, params: URLSearchParams): { data: T | null; error: string | null; loading: boolean } {
  const { tick } = useLive();
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean; key: string }>({ data: null, error: null, loading: true, key: '' });
  const key = path === null ? '' : `${path}?${params.toString()}`;
  useEffect(() => {
    if (path === null) return;
    let cancelled = false;
    setState((s) => ({ ...s, loading: true, key }));
    getJson<T>(path, params).then(
      (data) => !cancelled && setState({ data, error: null, loading: false, key }),
      (err: Error) => !cancelled && setState({ data: null, error: err.message, loading: false, key }),
    );
    return () => {
      cancelled = true;
    };
  }, [key, tick]);
  // Data of another query is not shown as if it were this one's (the old page stays only while the same query reloads).
  return state.key === key ? state : { data: null, error: null, loading: true };
}
