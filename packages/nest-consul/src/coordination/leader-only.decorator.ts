import { type LeaderOptions } from '@consulkit/core';
import { coordinateMethod } from './method-wrapper';

/**
 * Runs the method only on the instance of the fleet that leads the election on `key`; elsewhere
 * the call is skipped and returns `undefined`. Meant for scheduled work (`@Cron`, `@Interval`):
 * every instance schedules it, exactly one runs it, and when the leader shuts down (or loses its
 * session) another takes over. The module campaigns on `key` from `onApplicationBootstrap` and
 * gives leadership up on shutdown. Calls before the first election completes are skipped.
 *
 * A run may outlast the leadership (lost session, shutdown): declare a `@Lease()` parameter to
 * receive its `CoordinationLease`, whose `signal` aborts when leadership ends — before any
 * other instance can lead — and whose `fencingToken` grows strictly from one leader to the next.
 *
 * @example
 * @Cron('0 * * * * *')
 * @LeaderOnly('jobs/cleanup')
 * async cleanup(@Lease() lease: CoordinationLease) {
 *   await purgeExpired({ signal: lease.signal, fencingToken: lease.fencingToken });
 * }
 */
export function LeaderOnly(key: string, options: LeaderOptions = {}): MethodDecorator {
  return (target, property, descriptor) =>
    coordinateMethod(target, property, descriptor, { kind: 'leader', key, options });
}
