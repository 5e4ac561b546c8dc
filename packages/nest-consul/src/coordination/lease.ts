import { type HeldLock, type TxnKvOp } from '@consulkit/core';

/**
 * The hold a `@LeaderOnly` or `@WithLock` method runs under, injected into its `@Lease()`
 * parameter: the leadership of the election (`@LeaderOnly`) or the lock acquired for this call
 * (`@WithLock`). A long job stops when `signal` aborts, and passes `fencingToken` to the systems it
 * writes to, so that a holder that lost the key (paused process, partition) cannot overwrite the
 * work of the next one.
 */
export interface CoordinationLease {
  /** Which decorator the hold comes from. */
  readonly kind: 'leader' | 'lock';
  /** The election or lock key. */
  readonly key: string;
  /** The Consul session holding the key. */
  readonly session: string;
  /**
   * The `ModifyIndex` of the write that acquired the key: strictly increasing across successive
   * holders (of the leadership, or of the lock). Have downstream systems refuse a token lower than
   * the highest they have seen.
   */
  readonly fencingToken: number;
  /**
   * Aborts as soon as the hold ends: leadership or lock lost (the session was invalidated, the key
   * taken or deleted, Consul unreachable for a whole TTL) or given up (the app shuts down). Its
   * `reason` is core's `ConsulLockError` (`reason`: `session-invalidated`, `released`...). It aborts
   * before anyone else can acquire the key: a loss is seen by the holder's monitor while Consul's
   * lock-delay still keeps the key from others, and a release aborts it before the key is freed.
   * Reading it re-checks the hold's deadlines on this process's clock (a paused process sees the
   * loss at once).
   */
  readonly signal: AbortSignal;
  /** A transaction operation that fails unless this session still holds the key (guard writes). */
  check(): TxnKvOp;
}

/** The lease of a held lock or leadership (the holder's `release()` stays the module's). */
export function leaseOf(kind: CoordinationLease['kind'], held: HeldLock): CoordinationLease {
  return Object.freeze({
    kind,
    key: held.key,
    session: held.session,
    fencingToken: held.fencingToken,
    get signal(): AbortSignal {
      return held.signal;
    },
    check: () => held.check(),
  });
}
