import {
  type ConfigStore,
  type ConfigStoreOptions,
  type Consul,
  ConsulClosedError,
  ConsulConfigError,
  type ConsulHttpOptions,
  type HeldLock,
  type Kv,
  type LeaderElection,
  type LeaderOptions,
  type Lock,
  type LockOptions,
  type Registration,
  type ServiceClient,
  deepEqual,
} from '@consulkit/core';
import { Inject, Injectable } from '@nestjs/common';
import { type ConsulCheckFunction, type ConsulHealthSummary } from './health/check-registry';
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
export class ConsulService {
  private readonly clients = new Map<
    string,
    { client: ServiceClient; options: ConsulHttpOptions | undefined }
  >();

  constructor(@Inject(ConsulRuntime) private readonly runtime: ConsulRuntime) {}

  /** The Consul client (created by the module, or the one passed as `client`). */
  get client(): Consul {
    return this.runtime.client;
  }

  /** Shortcut of `client.kv`. */
  get kv(): Kv {
    return this.runtime.client.kv;
  }

  /**
   * This app's registration, once the HTTP server listens; `undefined` before, and with
   * `service: false`.
   */
  get registration(): Registration | undefined {
    return this.runtime.lifecycle?.current;
  }

  /**
   * Opens a hot-reloaded KV config store (`consul.config()` of core), closed on shutdown. For
   * single keys bound to properties, prefer `@ConsulConfig`.
   */
  config<T extends object = Record<string, unknown>>(
    options: ConfigStoreOptions<T>,
  ): ConfigStore<T> {
    this.assertOpen();
    const store = this.client.config<T>(options);
    this.track(() => store.close());
    return store;
  }

  /**
   * The load-balanced HTTP client of a service, over a discovery cache of its passing instances
   * (core's `ServiceClient`: pools per instance, retries on another instance, outlier ejection),
   * closed on shutdown. Cached per name (pools and watches are costly): call it with options once,
   * then without; other options for a cached name throw a `ConsulConfigError` naming
   * `service("<name>").options`. `@InjectServiceClient(name)` injects the same client.
   */
  service(name: string, options?: ConsulHttpOptions): ServiceClient {
    this.assertOpen();
    const cached = this.clients.get(name);
    if (cached && !cached.client.closed) {
      if (options !== undefined && !deepEqual(options, cached.options ?? {})) {
        throw new ConsulConfigError(
          `service("${name}").options`,
          'the options of the first call (service clients are cached per name; ' +
            'create the client once with its options, then call service(name) without)',
          options,
        );
      }
      return cached.client;
    }
    const client = this.client.http(name, options);
    this.clients.set(name, { client, options });
    this.track(() => client.close());
    return client;
  }

  /**
   * A distributed lock on `key` (core's `Lock`). Its `acquire()` also stops waiting when the app
   * shuts down, and a lock still held then is released.
   */
  lock(key: string, options?: LockOptions): Lock {
    this.assertOpen();
    const lock = this.client.lock(key, options);
    const resources = this.runtime.resources;
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

  /**
   * A leader election on `key` (core's `LeaderElection`, not started: call `start()`), stopped —
   * leadership given up — on shutdown. `@LeaderOnly(key)` runs methods only on the leader.
   */
  leader(key: string, options?: LeaderOptions): LeaderElection {
    this.assertOpen();
    const election = this.client.leader(key, options);
    this.track(() => election.stop());
    return election;
  }

  /**
   * Adds a health check function, run by the health controller and by the TTL heartbeat (option
   * `ttl`). Returns a function that removes it. Names are unique.
   */
  addCheck(name: string, fn: ConsulCheckFunction): () => void {
    return this.runtime.checks.add(name, fn);
  }

  /** Runs every check function now and returns the aggregated verdict. */
  health(): Promise<ConsulHealthSummary> {
    return this.runtime.checks.run();
  }

  /**
   * Runs the drain protocol now (maintenance → wait `drain` → deregister), e.g. from your own
   * signal handler before `app.close()`; shutdown then skips it. Resolves at once with
   * `service: false` or before the server listens. Never throws.
   */
  drain(): Promise<void> {
    return this.runtime.lifecycle?.drain() ?? Promise.resolve();
  }

  private track(close: () => Promise<unknown>): void {
    this.runtime.resources.add(close);
  }

  private assertOpen(): void {
    if (this.runtime.resources.closed) {
      throw new ConsulClosedError('The Nest application has shut down: ConsulService is closed');
    }
  }
}
