/**
 * JSON helpers that keep Consul's uint64 `Flags` lossless. `JSON.parse` would round
 * 3304740253564472344 (the Go lock flag) to 3304740253564472300, so long digit runs are quoted before
 * parsing and turned into a `bigint` by the model mappers.
 */

import { randomBytes } from 'node:crypto';
import { ConsulError, ConsulProtocolError, type ConsulRequestInfo } from '../errors';

// Only numbers beyond 2^53 need protecting; shorter ones parse exactly and stay numbers.
const BIG_FLAGS_ALL = /"Flags"\s*:\s*(\d{16,})/g;
const FLAGS_KEY = '"Flags"';
// 2^53 has 16 digits: a run of 15 or fewer always parses exactly.
const SAFE_DIGITS = 15;

/**
 * Parses a Consul JSON body. A `Flags` value too large for a double comes back as a digit string;
 * mappers turn `Flags` into a `bigint` with {@link toFlags}.
 */
export function parseConsulJson<T>(text: string): T {
  return JSON.parse(hasBigFlags(text) ? text.replace(BIG_FLAGS_ALL, '"Flags":"$1"') : text) as T;
}

/**
 * True when some `"Flags": <digits>` has more than 15 digits. Hot path of every KV read: a scan
 * from one `"Flags"` to the next (a regex test would try every `"` of the body). A quoted
 * `"Flags"` followed by `:` can only be a key: inside a JSON string the quotes would be escaped.
 */
export function hasBigFlags(text: string): boolean {
  let at = text.indexOf(FLAGS_KEY);
  while (at !== -1) {
    let i = skipJsonSpace(text, at + FLAGS_KEY.length);
    if (text.charCodeAt(i) === 58 /* : */) {
      i = skipJsonSpace(text, i + 1);
      const digitsFrom = i;
      while (i - digitsFrom <= SAFE_DIGITS && isDigit(text.charCodeAt(i))) i++;
      if (i - digitsFrom > SAFE_DIGITS) return true;
    }
    at = text.indexOf(FLAGS_KEY, i);
  }
  return false;
}

function skipJsonSpace(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    // JSON's whitespace; anything else between tokens makes JSON.parse fail anyway.
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Parses a Consul JSON answer and maps it to a model. A body that is not JSON, or whose shape the
 * mapper cannot read (a number where a list belongs, a missing object), becomes a
 * `ConsulProtocolError` naming the call, with the parser's error as `cause` — never a raw
 * `SyntaxError` or `TypeError`. The message does not quote the body (it may hold KV values).
 * `parse` defaults to the Flags-lossless {@link parseConsulJson}.
 */
export function decodeConsulJson<W, T>(
  answer: { text: string; request?: ConsulRequestInfo },
  map: (wire: W) => T,
  parse: (text: string) => W = parseConsulJson,
): T {
  let wire: W;
  try {
    wire = parse(answer.text);
  } catch (err) {
    throw new ConsulProtocolError(
      `${callOf(answer.request)} answered a body that is not JSON (${answer.text.length} bytes)`,
      { cause: err, request: answer.request },
    );
  }
  try {
    return map(wire);
  } catch (err) {
    // A mapper's own protocol error (a KV entry naming its bad field) gets the call's location.
    if (err instanceof ConsulProtocolError && !err.request) {
      throw new ConsulProtocolError(`${callOf(answer.request)}: ${err.message}`, {
        cause: err,
        request: answer.request,
      });
    }
    if (err instanceof ConsulError) throw err;
    throw new ConsulProtocolError(
      `${callOf(answer.request)} answered JSON of an unexpected shape`,
      {
        cause: err,
        request: answer.request,
      },
    );
  }
}

// Named only when a decode fails (decoding runs on every read).
function callOf(request: ConsulRequestInfo | undefined): string {
  return request ? `Consul ${request.method} ${request.path}` : 'A Consul call';
}

/** A JSON list of strings (key names, peers); anything else is a shape error for the decoder. */
export function stringList(wire: unknown): string[] {
  if (!Array.isArray(wire) || !wire.every((s) => typeof s === 'string')) {
    throw new TypeError('expected a list of strings');
  }
  return wire as string[];
}

/** The `{"ID": "…"}` answer of a create call. */
export function createdId(wire: { ID?: unknown } | null): string {
  if (typeof wire?.ID !== 'string') throw new TypeError('expected {"ID": string}');
  return wire.ID;
}

/** Converts a wire `Flags` (number, digit string or bigint) to a lossless `bigint`. */
export function toFlags(value: number | string | bigint | undefined | null): bigint {
  if (typeof value === 'bigint') return value;
  // Almost every KV entry has Flags 0: skip the conversion.
  if (value === 0 || value === undefined || value === null) return 0n;
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
