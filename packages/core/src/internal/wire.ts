import { ConsulProtocolError } from '../errors';
import { type HealthStatus } from '../models/check';

/**
 * Readers of the fields of a Consul answer, for the model mappers. A field of the wrong type throws
 * a `ConsulProtocolError` naming it (`decodeConsulJson` adds the call), so a malformed answer can
 * never come out as a model whose `string` is `undefined` or whose index is a boolean. Absent
 * optional fields (and Consul's `null` for empty collections) read as absent.
 */

/** One object of an answer; `what` names it in errors (`a health check`). */
export interface WireObject {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly what: string;
  /** Path of a nested object's fields in the enclosing one (`Weights.`), else `''`. */
  readonly prefix?: string;
}

/** Checks that `value` is a JSON object. */
export function wireObject(value: unknown, what: string): WireObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConsulProtocolError(`Consul answered ${what} that is not an object`);
  }
  return { fields: value as Record<string, unknown>, what };
}

/** The error for a field of `w` that holds the wrong thing. */
export function wireInvalid(w: WireObject, field: string): ConsulProtocolError {
  return new ConsulProtocolError(
    `Consul answered ${w.what} with an invalid "${w.prefix ?? ''}${field}"`,
  );
}

/** `undefined` for an absent field or `null`; the value otherwise. */
function present(w: WireObject, field: string): unknown {
  const value = w.fields[field];
  return value === null ? undefined : value;
}

export function wireString(w: WireObject, field: string): string {
  const value = w.fields[field];
  if (typeof value !== 'string') throw wireInvalid(w, field);
  return value;
}

export function wireOptionalString(w: WireObject, field: string): string | undefined {
  const value = present(w, field);
  if (value !== undefined && typeof value !== 'string') throw wireInvalid(w, field);
  return value;
}

export function wireOptionalBoolean(w: WireObject, field: string): boolean | undefined {
  const value = present(w, field);
  if (value !== undefined && typeof value !== 'boolean') throw wireInvalid(w, field);
  return value;
}

/** A whole number (ports, Serf status, event versions). */
export function wireInteger(w: WireObject, field: string): number {
  const value = w.fields[field];
  if (!Number.isSafeInteger(value)) throw wireInvalid(w, field);
  return value as number;
}

export function wireOptionalInteger(w: WireObject, field: string): number | undefined {
  return present(w, field) === undefined ? undefined : wireInteger(w, field);
}

/** A Raft index (or Lamport time): a non-negative whole number. */
export function wireIndex(w: WireObject, field: string): number {
  const value = w.fields[field];
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw wireInvalid(w, field);
  return value as number;
}

export function wireOptionalIndex(w: WireObject, field: string): number | undefined {
  return present(w, field) === undefined ? undefined : wireIndex(w, field);
}

/** A non-negative number (a duration in nanoseconds). */
export function wireOptionalAmount(w: WireObject, field: string): number | undefined {
  const value = present(w, field);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw wireInvalid(w, field);
  return value;
}

/** A list of strings; absent or `null` reads as empty. */
export function wireStringList(w: WireObject, field: string): string[] {
  const value = present(w, field);
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string'))
    throw wireInvalid(w, field);
  return [...(value as string[])];
}

/** A list (of objects the caller maps); absent or `null` reads as empty. */
export function wireList(w: WireObject, field: string): unknown[] {
  const value = present(w, field);
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw wireInvalid(w, field);
  return value;
}

/** A map of strings (metadata, tags, addresses), keys verbatim; absent or `null` reads as empty. */
export function wireStringMap(w: WireObject, field: string): Record<string, string> {
  const value = present(w, field);
  if (value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw wireInvalid(w, field);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item !== 'string') throw wireInvalid(w, `${field}.${key}`);
    out[key] = item;
  }
  return out;
}

/** A nested object, or `undefined` when absent or `null`. */
export function wireOptionalObject(w: WireObject, field: string): WireObject | undefined {
  const value = present(w, field);
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw wireInvalid(w, field);
  return {
    fields: value as Record<string, unknown>,
    what: w.what,
    prefix: `${w.prefix ?? ''}${field}.`,
  };
}

const STATUSES: readonly string[] = ['passing', 'warning', 'critical'];

export function wireHealthStatus(w: WireObject, field: string): HealthStatus {
  const value = w.fields[field];
  if (typeof value !== 'string' || !STATUSES.includes(value)) throw wireInvalid(w, field);
  return value as HealthStatus;
}

/** `value` when it is one of `allowed`, `fallback` when absent, else a protocol error. */
export function wireOneOf<T extends string>(
  w: WireObject,
  field: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = present(w, field);
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw wireInvalid(w, field);
  }
  return value as T;
}
