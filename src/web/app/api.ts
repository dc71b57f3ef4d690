/** Fetching the viewer's JSON API; every error becomes one line the page shows. */
export class ApiFailure extends Error {}

export async function getJson<T>(path: string, params: URLSearchParams = new URLSearchParams()): Promise<T> {
  const query = params.toString();
  const res = await fetch(query === '' ? path : `${path}?${query}`, { headers: { accept: 'application/json' } });
  const body = (await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }))) as T & { error?: string };
  if (!res.ok) throw new ApiFailure(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}
