import { decodeConsulJson } from '../internal/json';
import { type QueryOptions, type WithMeta, withMeta } from '../query';
import { type QueryValue, type Transport } from '../transport';

/** One read as the endpoint groups describe it: a GET whose JSON answer is mapped to a model. */
export interface ReadSpec<W, T extends object> {
  path: string;
  query?: Readonly<Record<string, QueryValue>>;
  /** Maps Consul's wire shape to the camelCase model. */
  map: (wire: W) => T;
}

/**
 * Sends a GET, reports the metadata through `onMeta`, parses the (Flags-lossless) JSON answer and
 * maps it. Consul answers `null` for some empty collections; `map` receives it as is.
 */
export async function readJson<W, T extends object>(
  transport: Transport,
  spec: ReadSpec<W, T>,
  options: QueryOptions,
): Promise<WithMeta<T>> {
  const res = await transport.send({
    method: 'GET',
    path: spec.path,
    query: spec.query,
    options,
  });
  options.onMeta?.(res.meta);
  return withMeta(decodeConsulJson(res, spec.map), res.meta);
}

/** Maps an array Consul may send as `null`. */
export function mapList<W, T>(wire: readonly W[] | null | undefined, map: (w: W) => T): T[] {
  return (wire ?? []).map(map);
}

/** Maps a JSON object's values, keeping its keys verbatim (IDs, names: never case-transformed). */
export function mapRecord<W, T>(
  wire: Readonly<Record<string, W>> | null | undefined,
  map: (w: W) => T,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(wire ?? {})) out[key] = map(value);
  return out;
}
