/**
 * Structural equality for decoded Consul results, used by watches to decide whether a blocking
 * query that returned actually changed anything (a return is not proof of change: timeouts and
 * idempotent writes wake it too).
 *
 * Handles primitives (bigint included; `NaN` equals `NaN`), `Buffer`/`Uint8Array`/other typed
 * arrays and `DataView` by bytes, arrays, `Date`, `Map`, `Set`, plain objects and class instances
 * (same prototype and equal own enumerable properties). Non-enumerable properties such as the
 * `meta` a read attaches are ignored, so two answers with different indexes but the same content
 * compare equal. Cyclic structures are supported.
 *
 * @example
 * deepEqual({ flags: 1n, raw: Buffer.from('a') }, { flags: 1n, raw: Buffer.from('a') }); // true
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  return equal(a, b, new Map());
}

function equal(a: unknown, b: unknown, seen: Map<object, object>): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  // A pair already being compared higher up the stack: assume equal, the rest decides.
  if (seen.get(a) === b) return true;
  // A Buffer and a Uint8Array holding the same bytes are the same value.
  if (a instanceof Uint8Array && b instanceof Uint8Array) return equalBytes(a, b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  seen.set(a, b);
  try {
    return equalObjects(a, b, seen);
  } finally {
    seen.delete(a);
  }
}

function equalObjects(a: object, b: object, seen: Map<object, object>): boolean {
  if (ArrayBuffer.isView(a)) return equalBytes(a, b as ArrayBufferView);
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], other[i], seen)) return false;
    return true;
  }
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime());
  if (a instanceof Map) return equalMaps(a, b as Map<unknown, unknown>, seen);
  if (a instanceof Set) return equalSets(a, b as Set<unknown>, seen);
  if (a instanceof RegExp) return String(a) === String(b);
  return equalRecords(a as Record<string, unknown>, b as Record<string, unknown>, seen);
}

function equalBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function equalRecords(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  seen: Map<object, object>,
): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.prototype.propertyIsEnumerable.call(b, key)) return false;
    if (!equal(a[key], b[key], seen)) return false;
  }
  return true;
}

function equalMaps(
  a: Map<unknown, unknown>,
  b: Map<unknown, unknown>,
  seen: Map<object, object>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    if (!b.has(key) || !equal(value, b.get(key), seen)) return false;
  }
  return true;
}

function equalSets(a: Set<unknown>, b: Set<unknown>, seen: Map<object, object>): boolean {
  if (a.size !== b.size) return false;
  outer: for (const item of a) {
    if (b.has(item)) continue;
    // Objects in sets match structurally, not by identity.
    if (typeof item === 'object' && item !== null) {
      for (const candidate of b) if (equal(item, candidate, seen)) continue outer;
    }
    return false;
  }
  return true;
}
