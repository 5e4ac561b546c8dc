import { ConsulOptionError } from '@consulkit/core';
import {
  resolveServiceOptions,
  type ResolvedServiceLifecycleOptions,
} from '@consulkit/core/adapter';
import { HEALTH_ROUTE_FROM_FACTORY } from '../consul.messages';

/** Module options after validation and defaults. */
export type ResolvedConsulOptions = ResolvedServiceLifecycleOptions;

/**
 * Validates the module options (`ConsulModuleOptions`: what `forRoot` got, or what the
 * `forRootAsync` factory returned) with core's `resolveServiceOptions`, the health route being
 * the `healthRoute` module extra. Every error is a `ConsulOptionError` naming the option by its
 * dotted path, thrown before anything is sent; the caller's object is never mutated.
 *
 * @param healthRoute the `healthRoute` module extra (routes are fixed when the module is defined)
 */
export function resolveModuleOptions(input: unknown, healthRoute: unknown): ResolvedConsulOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return resolveServiceOptions(input);
  }
  const given = (input as { healthRoute?: unknown }).healthRoute;
  if (given !== undefined && given !== (healthRoute ?? '/health')) {
    throw new ConsulOptionError('healthRoute', HEALTH_ROUTE_FROM_FACTORY, given);
  }
  return resolveServiceOptions({ ...input, healthRoute });
}
