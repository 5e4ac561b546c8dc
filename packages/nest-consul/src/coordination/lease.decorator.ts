import { ConsulOptionError } from '@consulkit/core';
import { CONSUL_LEASE_PARAMETERS } from '../consul.metadata-keys';
import { EXPECTED_LEASE_KEY, EXPECTED_LEASE_TARGET } from '../consul.messages';
import { type LeaseParameter } from './lease-parameters';

/**
 * Injects the {@link CoordinationLease} of a `@LeaderOnly` or `@WithLock` method into this
 * parameter: its `signal` aborts when leadership or the lock is lost or given up, and its
 * `fencingToken` increases strictly from one holder to the next. The caller's own argument at that
 * position (if any) is replaced. With both decorators on one method, name the key whose lease you
 * want: `@Lease('jobs/reindex')`. Checked at startup: a `@Lease()` on a method without such a
 * decorator, or naming none of its keys, fails startup naming `Class.method`.
 *
 * @example
 * @Interval(10_000)
 * @LeaderOnly('jobs/report')
 * async publish(@Lease() lease: CoordinationLease) {
 *   for (const page of pages) {
 *     if (lease.signal.aborted) return; // no longer leader: stop before the next write
 *     await store.write(page, { fencingToken: lease.fencingToken, signal: lease.signal });
 *   }
 * }
 */
export function Lease(key?: string): ParameterDecorator {
  return (target, property, index) => {
    if (property === undefined) {
      const owner = typeof target === 'function' ? target.name : 'anonymous';
      throw new ConsulOptionError(
        `${owner}.constructor[${index}]`,
        EXPECTED_LEASE_TARGET,
        '@Lease()',
      );
    }
    if (key !== undefined && (typeof key !== 'string' || key === '')) {
      const label = `${target.constructor.name}.${String(property)}[${index}]`;
      throw new ConsulOptionError(`${label}.key`, EXPECTED_LEASE_KEY, key);
    }
    const list = (Reflect.getOwnMetadata(CONSUL_LEASE_PARAMETERS, target, property) ??
      []) as LeaseParameter[];
    Reflect.defineMetadata(CONSUL_LEASE_PARAMETERS, [...list, { index, key }], target, property);
  };
}
