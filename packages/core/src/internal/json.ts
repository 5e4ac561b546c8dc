/**
 * JSON helpers that keep Consul's uint64 `Flags` lossless. `JSON.parse` would round
 * 3304740253564472344 (the Go lock flag) to 3304740253564472300, so the digits are quoted before
 * parsing and turned into a `bigint` afterwards.
 */

const FLAGS_RE = /"Flags"\s*:\s*(\d+)/g;

/** Parses a Consul JSON body; every `Flags` number becomes a `bigint`. */
export function parseConsulJson<T>(text: string): T {
  if (!text.includes('"Flags"')) return JSON.parse(text) as T;
  const quoted = text.replace(FLAGS_RE, '"Flags":"$1"');
  return JSON.parse(quoted, (key, value: unknown) =>
    key === 'Flags' && typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : value,
  ) as T;
}

/** Serialises a request body; `bigint` values are written as bare JSON numbers (digits spliced in). */
export function stringifyConsulJson(value: unknown): string {
  const marker = '__consulkit_bigint__:';
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${marker}${v.toString()}` : v,
  );
  return text.includes(marker) ? text.replace(/"__consulkit_bigint__:(\d+)"/g, '$1') : text;
}
