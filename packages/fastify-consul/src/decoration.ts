import {
  type ConfigStore,
  type ConfigStoreOptions,
  type Consul,
  ConsulConfigError,
  type ConsulHttpOptions,
  deepEqual,
  type HeldLock,
  type Kv,
  type LeaderElection,
  type LeaderOptions,
  type Lock,
  type LockOptions,
  type Registration,
  type ServiceClient,
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
  /** A leader election on `key` (core's; call `start()`), stopped (leadership released) on close. */
  leader(key: string, options?: LeaderOptions): LeaderElection;
  /**
   * Adds a health check function, run by the health route and by the TTL heartbeat. Returns a
   * function that removes it. Names are unique.
   */
  addCheck(name: string, fn: CheckFunction): () => void;
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

/** Builds `app.consul` over the client, the checks and the app-owned resources. */
export function createDecoration(
  client: Consul,
  checks: CheckRegistry,
  resources: OwnedResources,
  registration: () => Registration | undefined,
  drain: () => Promise<void>,
): FastifyConsul {
  const services = new ServiceClients(client, resources);
  return {
    client,
    kv: client.kv,
    get registration() {
      return registration();
    },
    config: <T extends object>(options: ConfigStoreOptions<T>) => {
      const store = client.config<T>(options);
      resources.add(() => store.close());
      return store;
    },
    service: (name, options) => services.get(name, options),
    lock: (key, options) => appLock(client, resources, key, options),
    leader: (key, options) => {
      const election = client.leader(key, options);
      resources.add(() => election.stop());
      return election;
    },
    addCheck: (name, fn) => checks.add(name, fn),
    health: () => checks.run(),
    drain,
  };
}

/** One `ServiceClient` per service name for the app's lifetime (pools and watches are costly). */
class ServiceClients {
  private readonly clients = new Map<
    string,
    { client: ServiceClient; options: ConsulHttpOptions | undefined }
  >();

  constructor(
    private readonly consul: Consul,
    private readonly resources: OwnedResources,
  ) {}

  get(name: string, options: ConsulHttpOptions | undefined): ServiceClient {
    const cached = this.clients.get(name);
    if (cached && !cached.client.closed) {
      if (options !== undefined && !deepEqual(options, cached.options)) {
        throw new ConsulConfigError(
          `service("${name}").options`,
          'the options of the first call (service clients are cached per name; ' +
            'create the client once with its options, then call service(name) without)',
          options,
        );
      }
      return cached.client;
    }
    const client = this.consul.http(name, options);
    this.clients.set(name, { client, options });
    this.resources.add(() => client.close());
    return client;
  }
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
