import { ConsulOptionError } from '@consulkit/core';
import { Logger } from '@nestjs/common';
import { CONSUL_COORDINATION } from '../consul.metadata-keys';
import { expectedMethodFor, unmanagedInstance } from '../consul.messages';
import { LOG_CONTEXT } from '../internal/nest-logger';
import { type CoordinationMetadata } from './coordination.metadata';
import { type CoordinationLease } from './lease';
import { leaseParameters } from './lease-parameters';

/** Runs the original method, with `lease` in the method's `@Lease()` parameters for this key. */
export type CoordinatedCall = (lease: CoordinationLease) => unknown;

/** What runs a coordinated call for one app (implemented by the module's coordinator). */
export interface CoordinatedRunner {
  run(meta: CoordinationMetadata, call: CoordinatedCall, label: string): unknown;
}

/** Instance → the coordinator of the app that owns it, set by the module's explorer. */
const runners = new WeakMap<object, CoordinatedRunner>();
const warned = new WeakSet<object>();
const logger = new Logger(LOG_CONTEXT);

/** Binds an instance to its app's coordinator (done by the explorer for singleton providers). */
export function bindCoordinator(instance: object, runner: CoordinatedRunner): void {
  runners.set(instance, runner);
}

/**
 * Replaces the method with a wrapper that asks the instance's coordinator whether (and how) to
 * run it. Wrapping happens at decoration time, so decorator order with `@Cron`/`@Interval` does
 * not matter: whoever captures the method later gets the wrapper, and the metadata other
 * decorators put on the original function is copied onto it. Stacked coordination decorators nest:
 * each wrapper fills the `@Lease()` parameters asking for its key.
 */
export function coordinateMethod(
  target: object,
  property: string | symbol,
  descriptor: PropertyDescriptor,
  meta: CoordinationMetadata,
): PropertyDescriptor {
  const original: unknown = descriptor.value;
  const label = `${target.constructor.name}.${String(property)}`;
  if (typeof original !== 'function') {
    throw new ConsulOptionError(label, expectedMethodFor(decoratorName(meta)), original);
  }
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    const call: CoordinatedCall = (lease) => {
      const withLease = [...args];
      // Read per call: parameter decorators may be applied after this one (a subclass...).
      for (const p of leaseParameters(target, property)) {
        if (p.key === undefined || p.key === meta.key) withLease[p.index] = lease;
      }
      return (original as (...a: unknown[]) => unknown).apply(this, withLease);
    };
    const runner = typeof this === 'object' && this !== null ? runners.get(this) : undefined;
    if (!runner) {
      if (typeof this === 'object' && this !== null && !warned.has(this)) {
        warned.add(this);
        logger.warn(unmanagedInstance(label, decoratorName(meta)));
      }
      return undefined;
    }
    return runner.run(meta, call, label);
  };
  for (const key of Reflect.getMetadataKeys(original)) {
    Reflect.defineMetadata(key, Reflect.getMetadata(key, original), wrapper);
  }
  const stacked = (Reflect.getMetadata(CONSUL_COORDINATION, original) ??
    []) as CoordinationMetadata[];
  Reflect.defineMetadata(CONSUL_COORDINATION, [...stacked, meta], wrapper);
  Object.defineProperty(wrapper, 'name', { value: (original as { name: string }).name });
  descriptor.value = wrapper;
  return descriptor;
}

function decoratorName(meta: CoordinationMetadata): string {
  return meta.kind === 'leader' ? 'LeaderOnly' : 'WithLock';
}
