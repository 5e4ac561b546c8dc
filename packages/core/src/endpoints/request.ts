import { decodeConsulJson } from '../internal/json';
import { type QueryOptions, type WithMeta, withMeta } from '../query';
import { type ConsulResponse, type QueryValue, type Transport } from '../transport';

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

/** Maps an array Consul may send as `null`; anything else is a shape error for the decoder. */
export function mapList<W, T>(wire: readonly W[] | null | undefined, map: (w: W) => T): T[] {
  if (wire !== null && wire !== undefined && !Array.isArray(wire)) {
    throw new TypeError('expected a list');
  }
  return (wire ?? []).map(map);
}

/** Maps a JSON object's values, keeping its keys verbatim (IDs, names: never case-transformed). */
export function mapRecord<W, T>(
  wire: Readonly<Record<string, W>> | null | undefined,
  map: (w: W) => T,
): Record<string, T> {
  // A list (or a string) would pass Object.entries with its indexes as keys.
  if (wire !== null && wire !== undefined && (typeof wire !== 'object' || Array.isArray(wire))) {
    throw new TypeError('expected an object');
  }
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(wire ?? {})) out[key] = map(value);
  return out;
}

/**
 * The `true` or `false` Consul answers a write with (a KV put or delete, a CAS, a session renewal, a
 * catalog write). Anything else is a `ConsulProtocolError` naming the call: text that merely
 * contains "true" is not a success.
 */
export function readBoolean(res: ConsulResponse): boolean {
  return decodeConsulJson(res, (wire: unknown) => {
    if (typeof wire !== 'boolean') throw new TypeError('expected true or false');
    return wire;
  });
}
