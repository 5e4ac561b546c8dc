import { ConsulError, type ConsulErrorOptions } from '../errors';

/**
 * Why a lock, leadership, semaphore slot or managed session failed or ended.
 *
 * Usage errors: `held` (already held by this object), `not-held`, `conflict` (the key is used by
 * something else: other flags, or a semaphore limit that differs), `in-use` (cleanup refused while
 * someone holds it), `timeout` (acquire gave up).
 *
 * Loss (the `signal` of a held lock aborts with one of these): `session-expired` (renewal answered
 * 404), `renewal-lapsed` (renewals kept failing until the TTL ran out on our clock),
 * `session-invalidated` (the key no longer names our session: destroyed, expired, released by an
 * operator), `key-taken` (another session holds it), `key-deleted`, `monitor-unreachable` (no
 * successful consistent read within the TTL: we cannot tell whether we still hold it),
 * `monitor-failed` (a read failed with a non-retryable error, e.g. 403).
 *
 * Normal end: `released` (release() or stop()), `closed` (the client was closed).
 */
export type ConsulLockErrorReason =
  | 'held'
  | 'not-held'
  | 'conflict'
  | 'in-use'
  | 'timeout'
  | 'session-expired'
  | 'renewal-lapsed'
  | 'session-invalidated'
  | 'key-taken'
  | 'key-deleted'
  | 'monitor-unreachable'
  | 'monitor-failed'
  | 'released'
  | 'closed';

const LOSS_REASONS: ReadonlySet<ConsulLockErrorReason> = new Set<ConsulLockErrorReason>([
  'session-expired',
  'renewal-lapsed',
  'session-invalidated',
  'key-taken',
  'key-deleted',
  'monitor-unreachable',
  'monitor-failed',
]);

/** A lock, leadership, semaphore or managed-session failure; `reason` says which (code `CONSUL_LOCK`). */
export class ConsulLockError extends ConsulError {
  /** Why: a usage error, a loss (see `lost`) or a normal end. */
  readonly reason: ConsulLockErrorReason;
  /** The lock key, semaphore prefix or session ID concerned. */
  readonly key: string | undefined;

  constructor(
    reason: ConsulLockErrorReason,
    message: string,
    options: ConsulErrorOptions & { key?: string } = {},
  ) {
    super('CONSUL_LOCK', message, options, reason === 'timeout');
    this.reason = reason;
    this.key = options.key;
  }

  /** True when the lock was taken away (as opposed to released by us or a usage error). */
  get lost(): boolean {
    return LOSS_REASONS.has(this.reason);
  }
}
