import { ConsulLockError } from './errors';

/**
 * The semaphore coordination record kept in `<prefix>/.lock`, in the Go client's JSON shape
 * `{"Limit":2,"Holders":{"<session>":true}}` so Go's `api.Semaphore` and `consul lock -n=N` share it.
 */
export interface SemaphoreRecord {
  /** Slots every contender agreed on. */
  limit: number;
  /** Sessions holding a slot. */
  holders: Set<string>;
}

interface SemaphoreRecordWire {
  Limit?: unknown;
  Holders?: unknown;
}

/**
 * Decodes the record; an absent or empty value is a fresh record with `limit`. A value that is not
 * the Go shape is a conflict (the key is used by something else).
 */
export function decodeSemaphoreRecord(
  value: Uint8Array | null | undefined,
  limit: number,
  key: string,
): SemaphoreRecord {
  if (value === null || value === undefined || value.byteLength === 0) {
    return { limit, holders: new Set() };
  }
  let wire: SemaphoreRecordWire;
  try {
    wire = JSON.parse(Buffer.from(value).toString('utf8')) as SemaphoreRecordWire;
  } catch (err) {
    throw new ConsulLockError('conflict', `Semaphore record at "${key}" is not valid JSON`, {
      cause: err,
      key,
    });
  }
  const holders = wire?.Holders ?? {};
  if (
    typeof wire !== 'object' ||
    wire === null ||
    typeof wire.Limit !== 'number' ||
    typeof holders !== 'object' ||
    Array.isArray(holders)
  ) {
    throw new ConsulLockError('conflict', `Semaphore record at "${key}" has an unknown shape`, {
      key,
    });
  }
  const live = Object.entries(holders as Record<string, unknown>)
    .filter(([, held]) => held === true)
    .map(([session]) => session);
  return { limit: wire.Limit, holders: new Set(live) };
}

/** Encodes the record as Go does (holder values are `true`). */
export function encodeSemaphoreRecord(record: SemaphoreRecord): string {
  const holders: Record<string, boolean> = {};
  for (const session of [...record.holders].sort()) holders[session] = true;
  return JSON.stringify({ Limit: record.limit, Holders: holders });
}

/**
 * Drops holders whose contender key no longer carries a live session (contender keys are written
 * with a `delete`-behaviour session, so a dead holder's key disappears or loses its session).
 * Like Go, any session seen on an entry under the prefix counts as alive.
 */
export function pruneDeadHolders(
  record: SemaphoreRecord,
  entries: ReadonlyArray<{ session: string | undefined }>,
): SemaphoreRecord {
  const alive = new Set(entries.map((e) => e.session).filter((s): s is string => !!s));
  return { limit: record.limit, holders: new Set([...record.holders].filter((h) => alive.has(h))) };
}
