/** An answer read in full by {@link fetchJson}. */
export interface JsonReply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * Real HTTP (`fetch`) to `base + path` with `method` (default `GET`); the body parsed as JSON.
 *
 * @example
 * const { status, body } = await fetchJson<{ ok: boolean }>(`http://127.0.0.1:${port}`, '/health');
 */
export async function fetchJson<T = Record<string, unknown>>(
  base: string,
  path: string,
  method = 'GET',
): Promise<JsonReply<T>> {
  const res = await fetch(`${base}${path}`, { method });
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}
