import { isDeepStrictEqual } from 'node:util';

/**
 * An immutable view of the configuration at one moment: values, where each came from, and a
 * version that grows with every published change. Everything in it is frozen, except `Buffer`
 * values (typed arrays cannot be frozen; treat them as read-only).
 */
export interface ConfigSnapshot<T = Record<string, unknown>> {
  /** Config key (relative to its layer's prefix) → parsed, validated value. Defaults included. */
  readonly values: Readonly<T>;
  /** Config key → the Consul key that set it. Keys holding a default are absent. */
  readonly sources: Readonly<Record<string, string>>;
  /** 0 for the defaults published before the first load, then +1 per published change. */
  readonly version: number;
}

/** How one config key changed between two published snapshots. */
export interface ConfigChange<V = unknown> {
  /** The config key (relative to its layer's prefix). */
  readonly key: string;
  /** The value before (`undefined` when it had none). */
  readonly previous: V | undefined;
  /** The value now: its default (or `undefined`) when `deleted`. */
  readonly value: V | undefined;
  /** The Consul key that sets it now; `undefined` when it comes from a default or is gone. */
  readonly source: string | undefined;
  /** The Consul key that set it before. */
  readonly previousSource: string | undefined;
  /** Set when the key was removed from Consul (every layer): `value` fell back to the default. */
  readonly deleted?: true;
}

/** Builds a frozen snapshot. `values` is deep-frozen in place (it must be a fresh object). */
export function freezeSnapshot<T>(
  values: Readonly<Record<string, unknown>>,
  sources: Readonly<Record<string, string>>,
  version: number,
): ConfigSnapshot<T> {
  return Object.freeze({
    values: deepFreeze(values) as Readonly<T>,
    sources: Object.freeze({ ...sources }),
    version,
  });
}

/**
 * Freezes `value` and everything reachable from it (objects already frozen are still walked: a
 * shallow-frozen schema output may hold mutable children). Typed arrays are skipped: freezing one
 * with elements throws.
 */
export function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  if (typeof value !== 'object' || value === null) return value;
  if (ArrayBuffer.isView(value) || seen.has(value)) return value;
  seen.add(value);
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) {
    deepFreeze((value as Record<PropertyKey, unknown>)[key], seen);
  }
  return value;
}

/**
 * The per-key differences between two snapshots, in key order: a key is reported when its value
 * (compared structurally) or its source changed. Returns `[]` when nothing changed.
 */
export function diffSnapshots(
  before: ConfigSnapshot<unknown>,
  after: ConfigSnapshot<unknown>,
): ConfigChange[] {
  const oldValues = before.values as Readonly<Record<string, unknown>>;
  const newValues = after.values as Readonly<Record<string, unknown>>;
  const changes: ConfigChange[] = [];
  const visit = (key: string) => {
    const previous = own(oldValues, key);
    const value = own(newValues, key);
    const previousSource = own(before.sources, key);
    const source = own(after.sources, key);
    // An unchanged key keeps the very same value (the builder reuses its parse): in a large
    // prefix that is nearly every key, so skip the structural compare for them.
    if (
      previousSource === source &&
      (Object.is(previous, value) || isDeepStrictEqual(previous, value))
    ) {
      return;
    }
    const deleted = previousSource !== undefined && source === undefined;
    changes.push(
      deleted
        ? { key, previous, value, source, previousSource, deleted: true }
        : { key, previous, value, source, previousSource },
    );
  };
  // Every key once: the union of both snapshots' values and sources, without building it.
  for (const key of Object.keys(newValues)) visit(key);
  for (const key of Object.keys(after.sources)) if (!hasOwn(newValues, key)) visit(key);
  for (const key of Object.keys(oldValues)) {
    if (!hasOwn(newValues, key) && !hasOwn(after.sources, key)) visit(key);
  }
  for (const key of Object.keys(before.sources)) {
    if (!hasOwn(newValues, key) && !hasOwn(after.sources, key) && !hasOwn(oldValues, key)) {
      visit(key);
    }
  }
  // Key order, as `Array.prototype.sort` orders strings (UTF-16 code units).
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function hasOwn(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

function own<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
