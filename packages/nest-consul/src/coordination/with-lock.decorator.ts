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
 * @example
 * @Interval(60_000)
 * @WithLock('jobs/reindex', { wait: '2s' })
 * async reindex() { ... }
 */
export function WithLock(key: string, options: WithLockOptions = {}): MethodDecorator {
  return (target, property, descriptor) =>
    coordinateMethod(target, property, descriptor, { kind: 'lock', key, options });
}
