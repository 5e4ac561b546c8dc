import { type Duration, formatGoDuration, toMillis } from '../duration';
import { ConsulOptionError } from '../errors';
import { KV_MAX_VALUE_SIZE } from '../endpoints/kv';
import {
  MAX_LOCK_DELAY_MS,
  MAX_SESSION_TTL_MS,
  MIN_SESSION_TTL_MS,
  SEMAPHORE_KEY_LEAF,
} from './constants';

/**
 * Option checks shared by sessions, locks, leader elections and semaphores. They run when the object
 * is built, so a bad option throws a `ConsulOptionError` naming it before any request is sent.
 */

/** A session TTL in ms, within Consul's 10 s–24 h. */
export function checkSessionTtl(value: Duration, option = 'ttl'): number {
  const ms = toMillis(value, option);
  if (ms < MIN_SESSION_TTL_MS || ms > MAX_SESSION_TTL_MS) {
    throw new ConsulOptionError(option, 'a session TTL between 10s and 24h', value);
  }
  return ms;
}

/** A lock-delay in ms, 0–60 s (the server never honours more than 60 s). */
export function checkLockDelay(value: Duration, option = 'lockDelay'): number {
  const ms = toMillis(value, option);
  if (ms > MAX_LOCK_DELAY_MS) {
    throw new ConsulOptionError(option, 'a lock-delay between 0s and 60s', value);
  }
  return ms;
}

/**
 * A KV key used for coordination: a leading `/` is dropped (as the Go client does); empty keys and
 * `//` are refused (Go's HTTP mux would answer `//` with a redirect).
 */
export function checkKey(value: unknown, option = 'key'): string {
  if (typeof value !== 'string') throw new ConsulOptionError(option, 'a string key', value);
  const key = value.startsWith('/') ? value.slice(1) : value;
  if (key === '') throw new ConsulOptionError(option, 'a non-empty key', value);
  if (key.includes('//')) throw new ConsulOptionError(option, 'a key without "//"', value);
  return key;
}

/** A semaphore or `consul lock` prefix: a checked key without trailing `/`. */
export function checkPrefix(value: unknown, option = 'prefix'): string {
  const key = checkKey(value, option).replace(/\/+$/, '');
  if (key === '') throw new ConsulOptionError(option, 'a non-empty prefix', value);
  return key;
}

/** `path.Join(prefix, leaf)` as the Go client builds contender and `.lock` keys. */
export function joinKey(prefix: string, leaf: string): string {
  return `${prefix.replace(/\/+$/, '')}/${leaf}`;
}

/**
 * The key `consul lock <prefix>` locks, `<prefix>/.lock` (a leading `/` and trailing `/` of the
 * prefix dropped, as the CLI does). Throws `ConsulOptionError` for an empty prefix or one with `//`.
 */
export function goLockKey(prefix: string, option = 'prefix'): string {
  return joinKey(checkPrefix(prefix, option), SEMAPHORE_KEY_LEAF);
}

/** A value stored in a lock or contender key. */
export function checkValue(value: unknown, option = 'value'): string | Uint8Array {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new ConsulOptionError(option, 'a string or bytes', value);
  }
  const size = typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
  if (size > KV_MAX_VALUE_SIZE) {
    throw new ConsulOptionError(option, `at most ${KV_MAX_VALUE_SIZE} bytes`, `${size} bytes`);
  }
  return value;
}

/** A positive integer (semaphore limits). */
export function checkPositiveInt(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ConsulOptionError(option, 'a positive integer', value);
  }
  return value;
}

/** A non-negative integer, or `Infinity` (retry budgets). */
export function checkRetries(value: unknown, option: string): number {
  if (value === Infinity) return Infinity;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ConsulOptionError(option, 'a non-negative integer or Infinity', value);
  }
  return value;
}

/** A non-empty string (session names, IDs). */
export function checkName(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConsulOptionError(option, 'a non-empty string', value);
  }
  return value;
}

/** Formats a lock-delay for the wire: always a string with a unit (numbers are ambiguous). */
export function lockDelayWire(ms: number): string {
  return formatGoDuration(ms);
}

/** A list of check IDs (session bindings); `undefined` stays `undefined`. */
export function checkList(value: unknown, option: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new ConsulOptionError(option, 'an array of check IDs', value);
  return value.map((id: unknown, i) => checkName(id, `${option}[${i}]`));
}

/** An optional boolean flag (`livenessCheck`); `undefined` gives `fallback`. */
export function checkFlag(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConsulOptionError(option, 'a boolean', value);
  return value;
}
