import { type Duration, formatGoDuration, toMillis } from '../duration';
import { ConsulOptionError } from '../errors';

/**
 * Small validators for user-supplied definitions and options. Each names the offending field by its
 * dotted path (e.g. `service.checks[0].interval`) so a bad one fails before anything is sent.
 */

/** A plain object, not null or an array. */
export function checkObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConsulOptionError(path, 'an object', value);
  }
  return value as Record<string, unknown>;
}

/**
 * Rejects keys the definition does not know (Consul would answer `400 unknown field`). Keys holding
 * `undefined` pass: they are dropped from the body ({@link compact}).
 */
export function checkKnownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  path: string,
): void {
  rejectUnknownKey(value, known, path, 'field', true);
}

/**
 * Rejects keys an options object does not know, so a misspelt option (`lockdelay`) fails at
 * construction instead of being ignored. The error names `path.key` (just `key` when `path` is
 * `''`) and shows the key, never its value (it may be a token). A misspelt key fails even when it
 * holds `undefined`, so the typo is caught whatever the environment feeds it.
 */
export function validateKnownOptions(value: object, known: readonly string[], path = ''): void {
  rejectUnknownKey(value, known, path, 'option', false);
}

/**
 * The option names of an options type, listed once next to the type: the compiler demands every
 * key of `T` and refuses any other, so the list cannot drift from the type.
 *
 * @example
 * const LOCK_OPTION_KEYS = optionKeys<LockOptions>({ ttl: true, lockDelay: true, ... });
 */
export function optionKeys<T>(keys: { readonly [K in keyof T]-?: true }): readonly string[] {
  return Object.freeze(Object.keys(keys));
}

function rejectUnknownKey(
  value: object,
  known: readonly string[],
  path: string,
  noun: 'field' | 'option',
  ignoreUndefined: boolean,
): void {
  for (const [key, v] of Object.entries(value)) {
    if (known.includes(key) || (ignoreUndefined && v === undefined)) continue;
    const option = path === '' ? key : `${path}.${key}`;
    throw new ConsulOptionError(option, `a known ${noun} (${known.join(', ')})`, key);
  }
}

export function optionalString(value: unknown, path: string, nonEmpty = false): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (nonEmpty && value === '')) {
    throw new ConsulOptionError(path, nonEmpty ? 'a non-empty string' : 'a string', value);
  }
  return value;
}

export function requiredString(value: unknown, path: string): string {
  const text = optionalString(value, path, true);
  if (text === undefined) throw new ConsulOptionError(path, 'a non-empty string', value);
  return text;
}

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new ConsulOptionError(path, 'a boolean', value);
  return value;
}

export function optionalInteger(
  value: unknown,
  path: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConsulOptionError(path, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

export function optionalStringList(value: unknown, path: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new ConsulOptionError(path, 'an array of strings', value);
  return value.map((v, i) => requiredString(v, `${path}[${i}]`));
}

/** A positive duration formatted for the wire (`'10s'`), or `undefined`. */
export function optionalWireDuration(
  value: Duration | undefined,
  path: string,
): string | undefined {
  if (value === undefined) return undefined;
  const ms = toMillis(value, path);
  if (ms <= 0) throw new ConsulOptionError(path, 'a positive duration', value);
  return formatGoDuration(ms);
}

/** Copies `source` without its `undefined` fields: Consul decodes bodies strictly. */
export function compact<T extends Record<string, unknown>>(source: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}
