import {
  type ConfigStore,
  type ConfigStoreOptions,
  type Consul,
  type ConsulHttpOptions,
  type KvApi,
  type LeaderElection,
  type LeaderOptions,
  type Lock,
  type LockOptions,
  type Registration,
  type Semaphore,
  type SemaphoreOptions,
  type ServiceClient,
} from '@consulkit/core';
import {
  type HealthCheckFunction,
  type HealthSummary,
  type ServiceLifecycle,
} from '@consulkit/core/adapter';

/**
 * `app.consul`: the Consul client and the recipes, bound to the app's lifetime. Everything created
 * through it (service clients, config stores, locks, semaphores, elections) ends when the app closes, even
 * when the client itself was adopted and stays open.
 */
export interface FastifyConsul {
  /** The Consul client (created by the plugin, or the one passed as `client`). */
  readonly client: Consul;
  /** Shortcut of `client.kv`. */
  readonly kv: KvApi;
  /** This app's registration, once `listen` started it; `undefined` before or with `service: false`. */
  readonly registration: Registration | undefined;
  /**
   * A typed, hot-reloaded KV config store (core's `ConfigStore`), closed when the app closes.
   * `await store.ready()` before reading.
   */
  config<T extends object = Record<string, unknown>>(
    options: ConfigStoreOptions<T>,
  ): ConfigStore<T>;
  /**
   * The load-balanced, discovery-backed HTTP client of a service (core's `ServiceClient`), cached
   * per name: later calls return the same client (passing different options is an error). Closed
   * when the app closes.
   */
  service(name: string, options?: ConsulHttpOptions): ServiceClient;
  /**
   * A distributed lock on `key` (core's `Lock`). Its `acquire()` also stops waiting when the app
   * closes, and a held lock is released on close.
   */
  lock(key: string, options?: LockOptions): Lock;
  /**
   * A counting semaphore over `prefix` (core's `Semaphore`, Go and `consul lock -n` layout). Its
   * `acquire()` also stops waiting when the app closes, and a held slot is released on close.
   */
  semaphore(prefix: string, limit: number, options?: SemaphoreOptions): Semaphore;
  /** A leader election on `key` (core's; call `start()`), stopped (leadership released) on close. */
  leader(key: string, options?: LeaderOptions): LeaderElection;
  /**
   * Adds a health check function, run by the health route and by the TTL heartbeat. Returns a
   * function that removes it. Names are unique.
   */
  addCheck(name: string, fn: HealthCheckFunction): () => void;
  /** Runs every check function now and returns the aggregated verdict. */
  health(): Promise<HealthSummary>;
  /**
   * Runs the drain protocol now — maintenance on, wait `drain`, deregister — while the server
   * still serves normally (Fastify answers 503 to new requests once `close()` started). For your
   * own shutdown handler: `await app.consul.drain(); await app.close()`. `close()` then skips it.
   * Resolves at once with `service: false` or before `listen`.
   */
  drain(): Promise<void>;
}

/** Builds `app.consul` over the app's lifecycle: its client, checks, scope and registration. */
export function createDecoration(life: ServiceLifecycle): FastifyConsul {
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
