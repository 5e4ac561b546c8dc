import {
  resolveConsulOptions,
  type ConsulOptions,
  type ResolvedConsulConfig,
} from './client-options';
import { AgentApi } from './endpoints/agent';
import { CatalogApi } from './endpoints/catalog';
import { EventApi } from './endpoints/event';
import { HealthApi } from './endpoints/health';
import { KvApi } from './endpoints/kv';
import { PreparedQueryApi } from './endpoints/prepared-query';
import { StatusApi } from './endpoints/status';
import { TxnApi } from './endpoints/txn';
import { Transport } from './transport';
import { createRegistration } from './registration/create';
import {
  type ConsulHttpOptions,
  type ConsulInterceptorOptions,
  createConsulInterceptor,
  createServiceClient,
  Discovery,
} from './discovery/discovery';
import { type DiscoveryInterceptor } from './http/interceptor';
import { type ServiceClient } from './http/service-client';
import { type Registration } from './registration/registration';
import { type RegistrationDefinition, type RegistrationOptions } from './registration/types';
import { ConfigStore } from './config-store/store';
import { type ConfigStoreOptions } from './config-store/store-options';
import { type HeldLock, Lock, type LockOptions, withLock } from './coordination/lock';
import { SessionGroup } from './coordination/session-group';
import { type AcquireOptions } from './coordination/signals';
import { LeaderElection, type LeaderOptions } from './coordination/leader';
import { Semaphore, type SemaphoreOptions } from './coordination/semaphore';
import {
  type ServiceWatchValue,
  type Watch,
  WatchHub,
  type WatchKeyOptions,
  type WatchOptions,
  type WatchPrefixOptions,
  type WatchQueryFn,
  type WatchServiceOptions,
} from './watch';
import { type KvEntry } from './endpoints/kv';

/**
 * A Consul client: endpoint groups mirroring the Go `api` package plus the recipes built on them
 * (watch, registration, discovery, config, locks). Options are validated here; a bad one throws a
 * `ConsulOptionError` naming it. Call `close()` to end pools, watches and sessions.
 *
 * @example
 * const consul = new Consul({ address: 'http://127.0.0.1:8500' });
 * await consul.kv.put('config/app/timeout', '3s');
 * const entry = await consul.kv.get('config/app/timeout'); // entry?.value === '3s'
 */
export class Consul {
  /** The resolved client options (token included: never log this object). */
  readonly options: ResolvedConsulConfig;
  /**
   * @internal The HTTP layer every endpoint group uses; not public API (the README's "What is
   * public"): call the endpoint groups instead.
   */
  readonly transport: Transport;
  /** The local agent (`/v1/agent`): self, members, local services and checks, TTL updates. */
  readonly agent: AgentApi;
  /** The catalog (`/v1/catalog`): datacenters, nodes, services; no health (use `health`). */
  readonly catalog: CatalogApi;
  /** Health-aware discovery reads (`/v1/health`): `health.service(name, { passing })`. */
  readonly health: HealthApi;
  /** The KV store (`/v1/kv`): get, put (CAS, flags, acquire/release), list, keys, delete. */
  readonly kv: KvApi;
  /** Sessions (`/v1/session`), plus `renewing()` for a self-renewing session. */
  readonly session: SessionGroup;
  /** Raft status (`/v1/status`): leader and peers. */
  readonly status: StatusApi;
  /** User events (`/v1/event`): fire and list. */
  readonly event: EventApi;
  /** Prepared queries (`/v1/query`). */
  readonly query: PreparedQueryApi;
  /** Transactions (`/v1/txn`). */
  readonly txn: TxnApi;
  /** Watch registry: shared, ref-counted blocking-query loops; all stopped by `close()`. */
  readonly watches: WatchHub;
  /** Watch-backed instance caches: `consul.discovery.service(name, options)`. */
  readonly discovery: Discovery;
  private readonly closers = new Set<() => Promise<void> | void>();
  private closing: Promise<void> | undefined;

  constructor(options: ConsulOptions = {}) {
    this.options = resolveConsulOptions(options);
    this.transport = new Transport(this.options);
    this.agent = new AgentApi(this.transport);
    this.catalog = new CatalogApi(this.transport);
    this.health = new HealthApi(this.transport);
    this.kv = new KvApi(this.transport);
    this.session = new SessionGroup(this.transport, () => this);
    this.status = new StatusApi(this.transport);
    this.event = new EventApi(this.transport);
    this.query = new PreparedQueryApi(this.transport);
    this.txn = new TxnApi(this.transport);
    this.watches = new WatchHub(this, this.options.logger);
    this.discovery = new Discovery(this);
    this.onClose(() => this.watches.close());
  }

  /**
   * Opens a typed, hot-reloaded KV config store (closed with the client): loads a prefix, layered
   * prefixes or a list of keys, parses each value, validates the snapshot, watches for changes and
   * keeps the last good snapshot when a new value fails to parse or validate.
   *
   * @example
   * const config = consul.config({ prefix: 'config/cdn/', keys: { limits: { parse: 'json' } } });
   * await config.ready();
   * config.get('origin_timeout', '3s');
   */
  config<T extends object = Record<string, unknown>>(
    options: ConfigStoreOptions<T>,
  ): ConfigStore<T> {
    return new ConfigStore<T>(this, options);
  }

  /**
   * Runs a blocking query in a loop and reports real changes. `queryFn` gets `{ index, wait,
   * signal, onMeta, ... }`, a valid `QueryOptions`: pass it to any read. With `options.key`,
   * watches of the same key share one loop (one long poll).
   *
   * @example
   * const watch = consul.watch((q) => consul.kv.get('config/app/timeout', q));
   * watch.on('change', (entry) => console.log(entry?.value));
   */
  watch<T>(queryFn: WatchQueryFn<T>, options?: WatchOptions<T>): Watch<T> {
    return this.watches.watch(queryFn, options);
  }

  /** Watches one KV key (shared per key): the entry, or `undefined` while it does not exist. */
  watchKey(key: string, options?: WatchKeyOptions): Watch<KvEntry | undefined> {
    return this.watches.key(key, options);
  }

  /** Watches every key under a prefix (shared per prefix). */
  watchPrefix(prefix: string, options?: WatchPrefixOptions): Watch<KvEntry[]> {
    return this.watches.prefix(prefix, options);
  }

  /** Watches the (by default passing) instances of a service (shared per query). */
  watchService(name: string, options?: WatchServiceOptions): Watch<ServiceWatchValue> {
    return this.watches.service(name, options);
  }

  /**
   * A distributed lock on `key` (Go `api.Lock` compatible). Validates options now; nothing is sent
   * until `acquire()`. With `goCompatible`, `key` is a `consul lock` prefix (locks `<key>/.lock`).
   *
   * @example
   * const held = await consul.lock('jobs/cleanup', { ttl: '15s' }).acquire({ timeout: '30s' });
   * try { await work(held.signal, held.fencingToken); } finally { await held.release(); }
   */
  lock(key: string, options?: LockOptions): Lock {
    return new Lock(this, key, options);
  }

  /**
   * Runs `fn(signal, held)` holding the lock on `key`, then releases it (also when `fn` throws).
   * `signal` aborts if the lock is lost meanwhile.
   */
  withLock<T>(
    key: string,
    fn: (signal: AbortSignal, held: HeldLock) => Promise<T> | T,
    options?: LockOptions & AcquireOptions,
  ): Promise<T> {
    return withLock(this, key, fn, options);
  }

  /**
   * A leader election on `key` (Go `api.Lock` algorithm): call `start()`, listen to `elected` and
   * `revoked`, read `isLeader`; `stop()` gives leadership up. Validates options now.
   *
   * @example
   * const election = consul.leader('jobs/leader', { ttl: '15s' }).start();
   * election.on('elected', (held) => runJobs(held.signal));
   */
  leader(key: string, options?: LeaderOptions): LeaderElection {
    return new LeaderElection(this, key, options);
  }

  /**
   * A counting semaphore under `prefix` admitting `limit` holders (Go `api.Semaphore` and
   * `consul lock -n=<limit>` compatible). Validates options now; nothing is sent until `acquire()`.
   */
  semaphore(prefix: string, limit: number, options?: SemaphoreOptions): Semaphore {
    return new Semaphore(this, prefix, limit, options);
  }

  /**
   * Registers a service instance with the local agent and keeps it registered: TTL heartbeat from
   * `options.health`, re-registration whenever the agent loses it (any check type), maintenance
   * and a bounded `deregister()`. Validates first: a bad field throws `ConsulOptionError` naming it
   * (e.g. `service.checks[0].interval`) before anything is sent.
   *
   * @example
   * const reg = consul.register({ name: 'web', port: 3000, check: { http: '/health', interval: '5s' } });
   * await reg.registered;
   */
  register(definition: RegistrationDefinition, options?: RegistrationOptions): Registration {
    return createRegistration(this, definition, options);
  }

  /**
   * A load-balanced HTTP client for a service, over a discovery cache of it (passing instances by
   * default): per-instance pools, retries on a different instance, outlier ejection, a deadline
   * per call. Options are the client's (`balancer`, `retries`, `timeout`, `tls`...) and the
   * discovery's (`tag`, `dc`, `passingOnly`, `filter`, `near`...). Closed with this client.
   *
   * @example
   * const users = consul.http('users', { balancer: p2c(), tag: 'v2' });
   * const { body } = await users.get('/users/1');
   */
  http(serviceName: string, options?: ConsulHttpOptions): ServiceClient {
    return createServiceClient(this, serviceName, options);
  }

  /**
   * An undici interceptor resolving service hosts through discovery, so plain undici calls reach a
   * healthy instance: `request('http://user-service/users/1', { dispatcher })`. The logical `Host`
   * header is kept unless `preserveHost: false`. Closed with this client.
   *
   * @example
   * const dispatcher = new Agent().compose(consul.interceptor());
   * const { body } = await request('http://user-service/users/1', { dispatcher });
   */
  interceptor(options?: ConsulInterceptorOptions): DiscoveryInterceptor {
    return createConsulInterceptor(this, options);
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Registers something to end when the client closes (watches, sessions, pools of recipes).
   * Returns a function that unregisters it.
   */
  onClose(closer: () => Promise<void> | void): () => void {
    this.closers.add(closer);
    return () => this.closers.delete(closer);
  }

  /** Stops watches, recipes and sessions, then closes the connection pools. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const closers = [...this.closers].reverse();
      this.closers.clear();
      await Promise.allSettled(closers.map((c) => c()));
      await this.transport.close();
    })();
    return this.closing;
  }
}
