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
  type ConsulAppApi,
  type HealthCheckFunction,
  type HealthSummary,
} from '@consulkit/core/adapter';
import { Inject, Injectable } from '@nestjs/common';
import { ConsulServiceClients } from './discovery/service-clients';
import { ConsulRuntime } from './internal/consul-runtime';

/**
 * The module's injectable API: the Consul client and the recipes, bound to the app's lifetime.
 * Everything created through it (config stores, service clients, locks, elections) ends in
 * `onApplicationShutdown`, even when the client itself was adopted and stays open.
 *
 * @example
 * @Injectable()
 * class Orders {
 *   constructor(private readonly consul: ConsulService) {}
 *   async userName(id: string) {
 *     const { body } = await this.consul.service('users').get(`/users/${id}`);
 *     return ((await body.json()) as { name: string }).name;
 *   }
 * }
 */
@Injectable()
export class ConsulService implements ConsulAppApi {
  constructor(
    @Inject(ConsulRuntime) private readonly runtime: ConsulRuntime,
    @Inject(ConsulServiceClients) private readonly clients: ConsulServiceClients,
  ) {}

  /** The Consul client (created by the module, or the one passed as `client`). */
  get client(): Consul {
    return this.runtime.api.client;
  }

  /** Shortcut of `client.kv`. */
  get kv(): KvApi {
    return this.runtime.api.kv;
  }

  /**
   * This app's registration, once the HTTP server listens; `undefined` before, and with
   * `service: false`.
   */
  get registration(): Registration | undefined {
    return this.runtime.api.registration;
  }

  /**
   * Opens a hot-reloaded KV config store (`consul.config()` of core), closed on shutdown. For
   * single keys bound to properties, prefer `@ConsulConfig`. Throws `ConsulClosedError` once the
   * app has shut down (as do `service`, `lock` and `leader`).
   */
  config<T extends object = Record<string, unknown>>(
    options: ConfigStoreOptions<T>,
  ): ConfigStore<T> {
    return this.runtime.api.config<T>(options);
  }

  /**
   * The load-balanced HTTP client of a service, over a discovery cache of its passing instances
   * (core's `ServiceClient`: pools per instance, retries on another instance, outlier ejection),
   * closed on shutdown. Cached per name (pools and watches are costly): call it with options once,
   * then without; other options for a cached name throw a `ConsulOptionError` naming
   * `service("<name>").options`. `@InjectServiceClient(name)` injects the same client, and a
   * `ConsulModule.forFeature()` declaring the service gives its options.
   */
  service(name: string, options?: ConsulHttpOptions): ServiceClient {
    return this.clients.client(name, options);
  }

  /**
   * A distributed lock on `key` (core's `Lock`). Its `acquire()` also stops waiting when the app
   * shuts down, and a lock still held then is released.
   */
  lock(key: string, options?: LockOptions): Lock {
    return this.runtime.api.lock(key, options);
  }

  /**
   * A counting semaphore over `prefix` (core's `Semaphore`, Go and `consul lock -n` layout). Its
   * `acquire()` also stops waiting when the app shuts down, and a slot still held then is released.
   */
  semaphore(prefix: string, limit: number, options?: SemaphoreOptions): Semaphore {
    return this.runtime.api.semaphore(prefix, limit, options);
  }

  /**
   * A leader election on `key` (core's `LeaderElection`, not started: call `start()`), stopped —
   * leadership given up — on shutdown. `@LeaderOnly(key)` runs methods only on the leader.
   */
  leader(key: string, options?: LeaderOptions): LeaderElection {
    return this.runtime.api.leader(key, options);
  }

  /**
   * Adds a health check function, run by the health controller and by the TTL heartbeat (option
   * `ttl`). Returns a function that removes it. Names are unique.
   */
  addCheck(name: string, fn: HealthCheckFunction): () => void {
    return this.runtime.api.addCheck(name, fn);
  }

  /** Runs every check function now and returns the aggregated verdict. */
  health(): Promise<HealthSummary> {
    return this.runtime.api.health();
  }

  /**
   * Runs the drain protocol now (maintenance → wait `drain` → deregister), e.g. from your own
   * signal handler before `app.close()`; shutdown then skips it. Resolves at once with
   * `service: false` or before the server listens. Never throws.
   */
  drain(): Promise<void> {
    return this.runtime.api.drain();
  }
}
