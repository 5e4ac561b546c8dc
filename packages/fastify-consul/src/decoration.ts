import {
  type Consul,
  type HeldLock,
  type Kv,
  type Lock,
  type LockOptions,
  type Registration,
} from '@consulkit/core';
import { type CheckFunction, type CheckRegistry, type HealthSummary } from './checks';
import { type OwnedResources } from './resources';

/**
 * `app.consul`: the Consul client and the recipes, bound to the app's lifetime. Everything created
 * through it (service clients, config stores, locks, elections) ends when the app closes, even
 * when the client itself was adopted and stays open.
 */
export interface FastifyConsul {
  /** The Consul client (created by the plugin, or the one passed as `client`). */
  readonly client: Consul;
  /** Shortcut of `client.kv`. */
  readonly kv: Kv;
  /** This app's registration, once `listen` started it; `undefined` before or with `service: false`. */
  readonly registration: Registration | undefined;
  /**
   * A distributed lock on `key` (core's `Lock`). Its `acquire()` also stops waiting when the app
   * closes, and a held lock is released on close.
   */
  lock(key: string, options?: LockOptions): Lock;
  /**
   * Adds a health check function, run by the health route and by the TTL heartbeat. Returns a
   * function that removes it. Names are unique.
   */
  addCheck(name: string, fn: CheckFunction): () => void;
  /** Runs every check function now and returns the aggregated verdict. */
  health(): Promise<HealthSummary>;
}

/** Builds `app.consul` over the client, the checks and the app-owned resources. */
export function createDecoration(
  client: Consul,
  checks: CheckRegistry,
  resources: OwnedResources,
  registration: () => Registration | undefined,
): FastifyConsul {
  return {
    client,
    kv: client.kv,
    get registration() {
      return registration();
    },
    lock: (key, options) => appLock(client, resources, key, options),
    addCheck: (name, fn) => checks.add(name, fn),
    health: () => checks.run(),
  };
}

/**
 * A core `Lock` whose acquisition also aborts when the app closes, and whose hold is released
 * then: a lock must never outlive the app that took it (an adopted client may live on).
 */
function appLock(
  client: Consul,
  resources: OwnedResources,
  key: string,
  options?: LockOptions,
): Lock {
  const lock = client.lock(key, options);
  const acquire = lock.acquire.bind(lock);
  lock.acquire = async (acquireOptions = {}) => {
    const signal = acquireOptions.signal
      ? AbortSignal.any([acquireOptions.signal, resources.signal])
      : resources.signal;
    const held: HeldLock = await acquire({ ...acquireOptions, signal });
    const forget = resources.add(() => held.release());
    held.signal.addEventListener('abort', forget, { once: true });
    return held;
  };
  return lock;
}
