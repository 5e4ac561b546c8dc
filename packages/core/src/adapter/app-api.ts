import { type ConfigStoreOptions } from '../config-store/store-options';
import { type ConfigStore } from '../config-store/store';
import { type Consul } from '../consul';
import { type LeaderElection, type LeaderOptions } from '../coordination/leader';
import { type Lock, type LockOptions } from '../coordination/lock';
import { type Semaphore, type SemaphoreOptions } from '../coordination/semaphore';
import { type ConsulHttpOptions } from '../discovery/discovery';
import { type KvApi } from '../endpoints/kv';
import { type ServiceClient } from '../http/service-client';
import { type Registration } from '../registration/registration';
import { type HealthCheckFunction, type HealthSummary } from './health-checks';
import { type ServiceLifecycle } from './lifecycle';

/**
 * What an app sees of Consul through its framework adapter (Fastify's `app.consul`, Nest's
 * `ConsulService`): the client and the recipes, bound to the app's lifetime. Everything created
 * through it (config stores, service clients, locks, semaphores, elections) ends when the app
 * closes, even when the client itself was adopted and stays open.
 */
export interface ConsulAppApi {
  /** The Consul client (created by the adapter, or the one passed as `client`). */
  readonly client: Consul;
  /** Shortcut of `client.kv`. */
  readonly kv: KvApi;
  /** This app's registration, once the server listens; `undefined` before and with `service: false`. */
  readonly registration: Registration | undefined;
  /**
   * A typed, hot-reloaded KV config store (core's `ConfigStore`), closed when the app closes.
   * `await store.ready()` before reading. Throws `ConsulClosedError` once the app has closed (as do
   * `service`, `lock`, `semaphore` and `leader`).
   */
  config<T extends object = Record<string, unknown>>(
    options: ConfigStoreOptions<T>,
  ): ConfigStore<T>;
  /**
   * The load-balanced, discovery-backed HTTP client of a service (core's `ServiceClient`: pools per
   * instance, retries on another instance, outlier ejection), closed when the app closes. Cached
   * per name (pools and watches are costly): call it with options once, then without; other options
   * for a cached name throw a `ConsulOptionError` naming `service("<name>").options`.
   */
  service(name: string, options?: ConsulHttpOptions): ServiceClient;
  /**
   * A distributed lock on `key` (core's `Lock`). Its `acquire()` also stops waiting when the app
   * closes, and a lock still held then is released.
   */
  lock(key: string, options?: LockOptions): Lock;
  /**
   * A counting semaphore over `prefix` (core's `Semaphore`, Go and `consul lock -n` layout). Its
   * `acquire()` also stops waiting when the app closes, and a slot still held then is released.
   */
  semaphore(prefix: string, limit: number, options?: SemaphoreOptions): Semaphore;
  /** A leader election on `key` (core's, not started: call `start()`), stopped (leadership given up) on close. */
  leader(key: string, options?: LeaderOptions): LeaderElection;
  /**
   * Adds a health check function, run by the health route and by the TTL heartbeat. Returns a
   * function that removes it. Names are unique.
   */
  addCheck(name: string, fn: HealthCheckFunction): () => void;
  /** Runs every check function now and returns the aggregated verdict. */
  health(): Promise<HealthSummary>;
  /**
   * Runs the drain protocol now (maintenance on, wait `drain`, deregister) while the server still
   * serves, e.g. from your own signal handler before closing the app; closing then skips it.
   * Resolves at once with `service: false` or before the server listens. Never throws.
   */
  drain(): Promise<void>;
}

/** The {@link ConsulAppApi} of one app's {@link ServiceLifecycle}: what the adapters expose. */
export function createAppApi(life: ServiceLifecycle): ConsulAppApi {
  const { client, checks, scope } = life;
  return {
    client,
    kv: client.kv,
    get registration() {
      return life.registration;
    },
    config: (options) => scope.config(options),
    service: (name, options) => scope.service(name, options),
    lock: (key, options) => scope.lock(key, options),
    semaphore: (prefix, limit, options) => scope.semaphore(prefix, limit, options),
    leader: (key, options) => scope.leader(key, options),
    addCheck: (name, fn) => checks.add(name, fn),
    health: () => checks.run(),
    drain: () => life.drain(),
  };
}
