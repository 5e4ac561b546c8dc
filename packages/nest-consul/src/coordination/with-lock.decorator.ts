import { type WithLockOptions } from './coordination.metadata';
import { coordinateMethod } from './method-wrapper';

/**
 * Runs the method while holding the distributed lock on `key`, so no two instances run it at the
 * same time; when another process holds the lock (or it cannot be had within `wait`), the call is
 * skipped and resolves to `undefined`. The decorated method always returns a promise. The lock is
 * released when the method settles, also when it throws (its error is rethrown).
 *
 * Mutual exclusion is not "once per schedule": an instance whose timer fires after the first run
 * finished runs again. For exactly one runner, use `@LeaderOnly`.
 *
 * The lock may be lost while the method runs (its session invalidated): declare a `@Lease()`
 * parameter to receive its `CoordinationLease`, whose `signal` aborts then — before another
 * process can take the lock — and whose `fencingToken` grows strictly from one holder to the next.
 *
 * @example
 * @Interval(60_000)
 * @WithLock('jobs/reindex', { wait: '2s' })
 * async reindex(@Lease() lease: CoordinationLease) {
 *   for (const batch of batches) await index(batch, { signal: lease.signal });
 * }
 */
export function WithLock(key: string, options: WithLockOptions = {}): MethodDecorator {
  return (target, property, descriptor) =>
    coordinateMethod(target, property, descriptor, { kind: 'lock', key, options });
}
