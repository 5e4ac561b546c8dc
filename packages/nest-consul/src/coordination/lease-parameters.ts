import { ConsulOptionError } from '@consulkit/core';
import { CONSUL_LEASE_PARAMETERS } from '../consul.metadata-keys';
import {
  EXPECTED_LEASE_KEY,
  EXPECTED_LEASE_TARGET,
  EXPECTED_ONE_COORDINATION,
} from '../consul.messages';
import { type CoordinationMetadata } from './coordination.metadata';

/** One `@Lease()` parameter, as stored in method metadata. */
export interface LeaseParameter {
  /** Position of the parameter. */
  index: number;
  /** The coordination key it asks for; `undefined`: the method's only `@LeaderOnly`/`@WithLock`. */
  key: string | undefined;
}

/** The `@Lease()` parameters of a method (read from its class's prototype chain). */
export function leaseParameters(prototype: object, property: string | symbol): LeaseParameter[] {
  return (Reflect.getMetadata(CONSUL_LEASE_PARAMETERS, prototype, property) ??
    []) as LeaseParameter[];
}

/**
 * Checks that each `@Lease()` parameter of a method gets exactly one hold: the method has a
 * coordination decorator, and `@Lease(key)` names one of its keys (required when it has two).
 * Throws a `ConsulOptionError` naming `Class.method` (startup fails).
 */
export function checkLeaseParameters(
  label: string,
  coordination: readonly CoordinationMetadata[],
  parameters: readonly LeaseParameter[],
): void {
  for (const p of parameters) {
    const option = `${label}[${p.index}]`;
    if (coordination.length === 0) {
      throw new ConsulOptionError(
        option,
        EXPECTED_LEASE_TARGET,
        '@Lease() on an uncoordinated method',
      );
    }
    const matches = coordination.filter((m) => p.key === undefined || m.key === p.key);
    if (p.key !== undefined && matches.length === 0) {
      throw new ConsulOptionError(`${option}.key`, EXPECTED_LEASE_KEY, p.key);
    }
    if (matches.length !== 1) {
      throw new ConsulOptionError(option, EXPECTED_ONE_COORDINATION, `${matches.length} holds`);
    }
  }
}
