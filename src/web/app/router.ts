/**
 * The pages' own URL handling: every view and filter lives in the path and query string, so a view
 * is a link to share. Links are built only from emlab's own paths and encoded parameters.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route = '/' | '/run' | '/samples' | '/compare';

export function href(path: Route, params: Record<string, string | string[] | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) if (one !== '') q.append(k, one);
  }
  const query = q.toString();
  return query === '' ? path : `${path}?${query}`;
}

export function navigate(url: string, replace = false): void {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event('emlab:navigate'));
}

/** The current path and query; re-renders on navigation (links, back and forward). */
export function useLocation(): { path: string; params: URLSearchParams } {
  const read = () => ({ path: location.pathname, params: new URLSearchParams(location.search) });
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const update = (): void => setLoc(read());
    window.addEventListener('popstate', update);
    window.addEventListener('emlab:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('emlab:navigate', update);
    };
  }, []);
  return loc;
}

/** Same-page links go through navigate(); others (new tab, modifier keys) are left to the browser. */
export function onLinkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest?.('a');
  if (!a || a.target !== '' || a.origin !== location.origin || a.hasAttribute('download')) return;
  e.preventDefault();
  navigate(a.pathname + a.search);
}
