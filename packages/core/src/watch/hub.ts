import { type HealthApi } from '../endpoints/health';
import { type KvEntry, type KvApi } from '../endpoints/kv';
import { ConsulClosedError, ConsulOptionError } from '../errors';
import { type ConsulLogger } from '../logger';
import { type LoopSubscriber, WatchLoop } from './loop';
import { validateKnownOptions, optionKeys } from '../models/validate';
import {
  validateSubscriberOptions,
  resolveWatchOptions,
  WATCH_LOOP_OPTION_KEYS,
  WATCH_SUBSCRIBER_OPTION_KEYS,
  type WatchLoopOptions,
  type WatchOptions,
  type WatchQueryFn,
  type WatchSubscriberOptions,
} from './watch-options';
import { Watch } from './watch';

/** The reads the convenience watches are built on. */
export interface WatchHubSources {
  /** Reads of `watchKey` and `watchPrefix`. */
  kv: Pick<KvApi, 'get' | 'list'>;
  /** Read of `watchService`. */
  health: Pick<HealthApi, 'service'>;
}

/** Query options that change a KV watch's result, and so its sharing key. */
export interface WatchReadOptions {
  /** Datacenter to read from. */
  dc?: string;
}

/** Options of {@link WatchHub.key} (`consul.watchKey`). */
export type WatchKeyOptions = WatchLoopOptions<KvEntry | undefined> &
  WatchSubscriberOptions &
  WatchReadOptions;

/** Options of {@link WatchHub.prefix} (`consul.watchPrefix`). */
export type WatchPrefixOptions = WatchLoopOptions<KvEntry[]> &
  WatchSubscriberOptions &
  WatchReadOptions;

/** What `consul.health.service` resolves to. */
export type ServiceWatchValue = Awaited<ReturnType<HealthApi['service']>>;

/** Options of {@link WatchHub.service} (`consul.watchService`). */
export interface WatchServiceOptions
  extends WatchLoopOptions<ServiceWatchValue>, WatchSubscriberOptions, WatchReadOptions {
  /** Only instances whose checks all pass (`?passing`). Default true. */
  passing?: boolean;
  /** Only instances with this tag (all of them, for a list). */
  tag?: string | readonly string[];
  /** Boolean expression filter (`filter=`). */
  filter?: string;
  /** Sort by round-trip time from this node (`near=`). */
  near?: string;
}

/** Options every watch takes: the loop's and the subscriber's (those of `shared()`). */
type SharedWatchOptions = WatchLoopOptions<unknown> & WatchSubscriberOptions;
const SHARED_OPTION_KEYS = [...WATCH_LOOP_OPTION_KEYS, ...WATCH_SUBSCRIBER_OPTION_KEYS];
const WATCH_OPTION_KEYS = [
  ...SHARED_OPTION_KEYS,
  ...optionKeys<Omit<WatchOptions<unknown>, keyof SharedWatchOptions>>({ key: true }),
];
const KV_OPTION_KEYS = [...SHARED_OPTION_KEYS, ...optionKeys<WatchReadOptions>({ dc: true })];
const SERVICE_OPTION_KEYS = [
  ...KV_OPTION_KEYS,
  ...optionKeys<Omit<WatchServiceOptions, keyof WatchKeyOptions>>({
    passing: true,
    tag: true,
    filter: true,
    near: true,
  }),
];

/**
 * The watch registry of a `Consul` client (`consul.watches`): creates watches, shares one loop
 * (one long poll) between all watches of the same key, ref-counted, and stops everything when the
 * client closes. Recipes (discovery, config) build on {@link WatchHub.shared}.
 *
 * @example
 * const a = consul.watches.shared('kv:get:config/app', (q) => consul.kv.get('config/app', q));
 * const b = consul.watches.shared('kv:get:config/app', (q) => consul.kv.get('config/app', q));
 * // one long poll; it ends when both a.stop() and b.stop() were called
 */
export class WatchHub {
  private readonly sharedLoops = new Map<string, WatchLoop<unknown>>();
  private readonly privateLoops = new Set<WatchLoop<unknown>>();
  private closed = false;
  private counter = 0;

  constructor(
    private readonly sources: WatchHubSources,
    private readonly logger: ConsulLogger,
  ) {}

  /** Running loops (each shared key counts once). */
  get size(): number {
    return this.sharedLoops.size + this.privateLoops.size;
  }

  /** Whether a shared loop runs for `key`. */
  has(key: string): boolean {
    return this.sharedLoops.has(key);
  }

  /** Subscribers of the shared loop for `key` (0 when none runs). */
  subscribers(key: string): number {
    return this.sharedLoops.get(key)?.size ?? 0;
  }

  /**
   * A watch over `queryFn`; with `options.key` it shares the loop of that key (see
   * {@link WatchHub.shared}). Throws `ConsulOptionError` on bad options, `ConsulClosedError` after
   * the client closed.
   */
  watch<T>(queryFn: WatchQueryFn<T>, options: WatchOptions<T> = {}): Watch<T> {
    checkOptionsObject(options);
    validateKnownOptions(options, WATCH_OPTION_KEYS);
    if (options.key !== undefined) {
      const { key, ...shared } = options;
      return this.shared(key, queryFn, shared);
    }
    checkQueryFn(queryFn);
    const resolved = resolveWatchOptions(options);
    validateSubscriberOptions(options);
    this.assertOpen();
    const loop = new WatchLoop(queryFn, resolved, this.logger, `#${++this.counter}`);
    this.privateLoops.add(loop as WatchLoop<unknown>);
    void loop.done.then(() => this.privateLoops.delete(loop as WatchLoop<unknown>));
    return new Watch(loop, options, (s) => this.detach(loop, s, undefined), this.logger, undefined);
  }

  /**
   * Subscribes to the shared loop of `key`, starting it with `queryFn` and these options when
   * none runs. Later subscribers share the running loop: their `queryFn` and loop options (wait,
   * backoff, equals, ...) are ignored, only `signal` and `emitInitial` apply to them. The loop
   * stops when its last subscriber stops.
   */
  shared<T>(
    key: string,
    queryFn: WatchQueryFn<T>,
    options: WatchLoopOptions<T> & WatchSubscriberOptions = {},
  ): Watch<T> {
    if (typeof key !== 'string' || key === '') {
      throw new ConsulOptionError('key', 'a non-empty string', key);
    }
    checkOptionsObject(options);
    validateKnownOptions(options, SHARED_OPTION_KEYS);
    checkQueryFn(queryFn);
    const resolved = resolveWatchOptions(options);
    validateSubscriberOptions(options);
    this.assertOpen();
    let loop = this.sharedLoops.get(key) as WatchLoop<T> | undefined;
    if (!loop || loop.stopped) {
      const created = new WatchLoop(queryFn, resolved, this.logger, key);
      loop = created;
      this.sharedLoops.set(key, created as WatchLoop<unknown>);
      void created.done.then(() => {
        if (this.sharedLoops.get(key) === created) this.sharedLoops.delete(key);
      });
    }
    const target = loop;
    return new Watch(target, options, (s) => this.detach(target, s, key), this.logger, key);
  }

  /** Watches one KV key, shared by key and `dc`: `undefined` while the key does not exist. */
  key(key: string, options: WatchKeyOptions = {}): Watch<KvEntry | undefined> {
    checkOptionsObject(options);
    validateKnownOptions(options, KV_OPTION_KEYS);
    const { dc, ...shared } = options;
    const id = `kv:get:${sharingSuffix(options)}:${key}`;
    return this.shared<KvEntry | undefined>(
      id,
      (q) => this.sources.kv.get(key, { ...q, dc }),
      shared,
    );
  }

  /** Watches every key under a prefix (`kv.list`), shared by prefix and `dc`. */
  prefix(prefix: string, options: WatchPrefixOptions = {}): Watch<KvEntry[]> {
    checkOptionsObject(options);
    validateKnownOptions(options, KV_OPTION_KEYS);
    const { dc, ...shared } = options;
    const id = `kv:list:${sharingSuffix(options)}:${prefix}`;
    return this.shared<KvEntry[]>(id, (q) => this.sources.kv.list(prefix, { ...q, dc }), shared);
  }

  /**
   * Watches the instances of a service (`health.service`, passing only by default), shared by
   * name and query options.
   */
  service(name: string, options: WatchServiceOptions = {}): Watch<ServiceWatchValue> {
    checkOptionsObject(options);
    validateKnownOptions(options, SERVICE_OPTION_KEYS);
    const { dc, tag, filter, near, passing: passingOption, ...shared } = options;
    const passing = passingOption ?? true;
    const id = `health:service:${sharingSuffix(options)}:${JSON.stringify([passing, tag ?? null, filter ?? null, near ?? null])}:${name}`;
    return this.shared(
      id,
      (q) => this.sources.health.service(name, { ...q, dc, passing, tag, filter, near }),
      shared,
    );
  }

  /** Stops every watch (aborting long polls in flight); later calls throw `ConsulClosedError`. */
  async close(): Promise<void> {
    this.closed = true;
    const loops = [...this.sharedLoops.values(), ...this.privateLoops];
    this.sharedLoops.clear();
    this.privateLoops.clear();
    await Promise.all(loops.map((loop) => loop.stop()));
  }

  private detach<T>(
    loop: WatchLoop<T>,
    subscriber: LoopSubscriber<T>,
    key: string | undefined,
  ): Promise<void> {
    if (loop.remove(subscriber) > 0) return Promise.resolve();
    if (key !== undefined && this.sharedLoops.get(key) === loop) this.sharedLoops.delete(key);
    this.privateLoops.delete(loop as WatchLoop<unknown>);
    return loop.stop();
  }

  private assertOpen(): void {
    if (this.closed)
      throw new ConsulClosedError('The Consul client is closed: cannot start a watch');
  }
}

function sharingSuffix(options: {
  dc?: string;
  stale?: boolean;
  consistent?: boolean;
  cached?: boolean;
}): string {
  const mode = options.consistent ? 'consistent' : options.stale ? 'stale' : 'default';
  return `${options.dc ?? ''}:${mode}${options.cached ? '+cached' : ''}`;
}

function checkQueryFn(queryFn: unknown): void {
  if (typeof queryFn !== 'function') {
    throw new ConsulOptionError('queryFn', 'a function (query) => Promise<value>', queryFn);
  }
}

function checkOptionsObject(options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new ConsulOptionError('options', 'an object', options);
  }
}
