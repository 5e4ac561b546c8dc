import { ConsulOptionError } from '../errors';

/**
 * Encodes a KV key for the URL path: a leading `/` is stripped (as the Go client does), every
 * segment is percent-encoded, `/` separators are kept. Empty keys and `//` are rejected before
 * anything is sent (Go's mux would answer `//` with a 301).
 */
const PLAIN_KEY = /^[A-Za-z0-9_.~-]+(?:\/[A-Za-z0-9_.~-]+)*\/?$/;

export function encodeKey(key: unknown, option = 'key', allowEmpty = false): string {
  if (typeof key !== 'string') throw new ConsulOptionError(option, 'a string key', key);
  // Hot path (every KV call): keys made only of unreserved characters need no encoding.
  if (PLAIN_KEY.test(key)) return key;
  const trimmed = key.startsWith('/') ? key.slice(1) : key;
  if (trimmed === '' && !allowEmpty) throw new ConsulOptionError(option, 'a non-empty key', key);
  if (trimmed.includes('//')) throw new ConsulOptionError(option, 'a key without "//"', key);
  return trimmed.split('/').map(encodeURIComponent).join('/');
}

/** Encodes one path segment (an ID or a name); rejects empty values. */
export function encodeSegment(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ConsulOptionError(option, 'a non-empty string', value);
  }
  return encodeURIComponent(value);
}
