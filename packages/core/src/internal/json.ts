/**
 * JSON helpers that keep Consul's uint64 `Flags` lossless. `JSON.parse` would round
 * 3304740253564472344 (the Go lock flag) to 3304740253564472300, so long digit runs are quoted before
 * parsing and turned into a `bigint` by the model mappers.
 */

import { randomBytes } from 'node:crypto';

// Only numbers beyond 2^53 need protecting; shorter ones parse exactly and stay numbers.
const BIG_FLAGS = /"Flags"\s*:\s*\d{16,}/;
const BIG_FLAGS_ALL = /"Flags"\s*:\s*(\d{16,})/g;

/**
 * Parses a Consul JSON body. A `Flags` value too large for a double comes back as a digit string;
 * mappers turn `Flags` into a `bigint` with {@link toFlags}.
 */
export function parseConsulJson<T>(text: string): T {
  return JSON.parse(BIG_FLAGS.test(text) ? text.replace(BIG_FLAGS_ALL, '"Flags":"$1"') : text) as T;
}

/** Converts a wire `Flags` (number, digit string or bigint) to a lossless `bigint`. */
export function toFlags(value: number | string | bigint | undefined | null): bigint {
  if (typeof value === 'bigint') return value;
  if (value === undefined || value === null) return 0n;
  return BigInt(value);
}

// A per-process random marker, so a user string can never be mistaken for a spliced bigint.
const MARKER = `__consulkit_bigint_${randomBytes(8).toString('hex')}__:`;
const MARKED = new RegExp(`"${MARKER}(\\d+)"`, 'g');

/** Serialises a request body; `bigint` values are written as bare JSON numbers (digits spliced in). */
export function stringifyConsulJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${MARKER}${v.toString()}` : v,
  );
  return text.includes(MARKER) ? text.replace(MARKED, '$1') : text;
}
