import { EventEmitter } from 'node:events';
import { ConsulOptionError } from '../errors';
import type {
  InstanceChangeListener,
  InstanceSource,
  ServiceInstance,
  InstanceStatus,
} from '../models/service-instance';

/** An instance for {@link createStaticSource}: only `address` and `port` are required. */
export type StaticInstanceInput = Pick<ServiceInstance, 'address' | 'port'> &
  Partial<Omit<ServiceInstance, 'address' | 'port'>>;

/** A fixed (but replaceable) list of instances: for tests, bootstrapping or non-Consul upstreams. */
export interface StaticInstanceSource extends InstanceSource {
  /** Replaces the list and emits `change`. */
  set(instances: readonly StaticInstanceInput[]): void;
  /** Subscribes to `change` (emitted by every `set()`). */
  on(event: 'change', listener: InstanceChangeListener): this;
  /** Unsubscribes a `change` listener. */
  off(event: 'change', listener: InstanceChangeListener): this;
}

const STATUSES: readonly InstanceStatus[] = ['passing', 'warning', 'critical'];

/**
 * Builds an {@link InstanceSource} over a fixed list. Missing fields get Consul's defaults: `id`
 * `address:port`, `service` the source name, no tags or meta, weights `{ passing: 1, warning: 1 }`,
 * status `passing`.
 *
 * @example
 * const source = createStaticSource('users', [{ address: '127.0.0.1', port: 8081 }]);
 * const client = new ServiceClient(source);
 */
export function createStaticSource(
  name: string,
  instances: readonly StaticInstanceInput[] = [],
): StaticInstanceSource {
  let current = toInstances(name, instances);
  const emitter = new EventEmitter();
  const source: StaticInstanceSource = {
    name,
    instances: () => current,
    ready: (signal?: AbortSignal) =>
      signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve(),
    set(next) {
      current = toInstances(name, next);
      emitter.emit('change', current);
    },
    on(event, listener) {
      emitter.on(event, listener);
      return source;
    },
    off(event, listener) {
      emitter.off(event, listener);
      return source;
    },
  };
  return source;
}

function toInstances(name: string, inputs: readonly StaticInstanceInput[]): ServiceInstance[] {
  return inputs.map((input, i) => {
    const where = `instances[${i}]`;
    if (typeof input.address !== 'string' || input.address === '') {
      throw new ConsulOptionError(`${where}.address`, 'a non-empty host name or IP', input.address);
    }
    if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) {
      throw new ConsulOptionError(`${where}.port`, 'an integer port 1-65535', input.port);
    }
    if (input.status !== undefined && !STATUSES.includes(input.status)) {
      throw new ConsulOptionError(`${where}.status`, STATUSES.join(' | '), input.status);
    }
    return {
      id: input.id ?? `${input.address}:${input.port}`,
      service: input.service ?? name,
      address: input.address,
      port: input.port,
      tags: input.tags ?? [],
      meta: input.meta ?? {},
      weights: input.weights ?? { passing: 1, warning: 1 },
      status: input.status ?? 'passing',
      node: input.node ?? '',
      datacenter: input.datacenter,
    };
  });
}
