import { EventEmitter } from 'node:events';
import { DIAGNOSTIC_CHANNELS, hasSubscribers, publish } from '../diagnostics';
import { ConsulAbortedError } from '../errors';
import { type ConsulLogger } from '../logger';
import { aggregateStatus } from '../models/check';
import { entryAddress, type ServiceEntry } from '../models/service-entry';
import { type ServiceWatchValue, type Watch } from '../watch';
import { type WatchStats } from '../watch/loop';
import { type InstanceSource, type ServiceInstance } from '../models/service-instance';

/** Events of a {@link ServiceCache}. */
export type ServiceCacheEvents = {
  /** The instance set changed (added, removed, or an instance's address/tags/meta/weights/status). */
  change: [instances: readonly ServiceInstance[]];
  /** Consul could not be read; the cache keeps serving its last good list and retries. */
  error: [error: Error];
};

/**
 * Maps Consul health entries to instances: the address falls back to the node's (DSC-5), weights
 * are kept, the status is the worst of the instance's checks (node checks and maintenance included).
 * An ID seen on several nodes (e.g. the default ID = name) is made unique as `id@node`.
 */
export function instancesFromEntries(entries: readonly ServiceEntry[]): ServiceInstance[] {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.service.id, (counts.get(e.service.id) ?? 0) + 1);
  return entries.map((e) => {
    const instance: ServiceInstance = {
      id: (counts.get(e.service.id) ?? 0) > 1 ? `${e.service.id}@${e.node.node}` : e.service.id,
      service: e.service.service,
      address: entryAddress(e),
      port: e.service.port,
      tags: [...e.service.tags],
      meta: { ...e.service.meta },
      weights: { ...e.service.weights },
      status: aggregateStatus(e.checks),
      node: e.node.node,
    };
    if (e.node.datacenter) instance.datacenter = e.node.datacenter;
    return instance;
  });
}

/** A canonical, order-insensitive signature of an instance set: equal signatures, same set. */
export function instanceSetSignature(instances: readonly ServiceInstance[]): string {
  return instances
    .map((i) =>
      JSON.stringify([
        i.id,
        i.address,
        i.port,
        [...i.tags].sort(),
        Object.entries(i.meta).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        i.weights.passing,
        i.weights.warning,
        i.status,
        i.node,
        i.datacenter ?? '',
      ]),
    )
    .sort()
    .join('\n');
}

/**
 * The state shared by every {@link ServiceCache} of one query: one watch (one long poll, itself
 * shared through the client's watch hub), the current instance list, and the handles to notify.
 * @internal Created and ref-counted by `Discovery`.
 */
export class SharedInstances {
  private list: readonly ServiceInstance[] = Object.freeze([]);
  private signature = '';
  private loaded = false;
  private readonly handles = new Set<ServiceCache>();
  private readonly firstLoad: Promise<void>;
  private settleFirstLoad!: (error?: Error) => void;

  constructor(
    readonly name: string,
    /** Identity of the query (name and every option that changes the result). */
    readonly key: string,
    private readonly watch: Watch<ServiceWatchValue>,
    private readonly release: (shared: SharedInstances) => void,
    private readonly logger: ConsulLogger,
  ) {
    this.firstLoad = new Promise<void>((resolve, reject) => {
      this.settleFirstLoad = (error) => (error ? reject(error) : resolve());
    });
    this.firstLoad.catch(() => undefined);
    watch.on('change', (entries) => this.update(entries));
    watch.on('error', (error) => {
      for (const handle of this.handles) handle.notifyError(error);
    });
    // The watch stops before a first result only when the client closes (or on bad options).
    watch.ready().catch((error: Error) => this.settleFirstLoad(error));
  }

  /** Current instances (frozen; the same array until the set changes). */
  get instances(): readonly ServiceInstance[] {
    return this.list;
  }

  get hasValue(): boolean {
    return this.loaded;
  }

  get stats(): WatchStats {
    return this.watch.stats;
  }

  get stopped(): boolean {
    return this.watch.stopped;
  }

  /** Resolves after the first answer was mapped. */
  whenLoaded(): Promise<void> {
    return this.firstLoad;
  }

  attach(handle: ServiceCache): void {
    this.handles.add(handle);
  }

  /** Drops a handle; the last one out stops the watch. */
  detach(handle: ServiceCache): void {
    this.handles.delete(handle);
    if (this.handles.size === 0) {
      this.release(this);
      void this.watch.stop();
    }
  }

  get refs(): number {
    return this.handles.size;
  }

  /** A listener of one cache threw: log it, never let it starve the other caches. */
  listenerFailed(error: unknown): void {
    this.logger.error('A discovery cache listener threw', {
      service: this.name,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  private update(entries: readonly ServiceEntry[]): void {
    const next = instancesFromEntries(entries);
    const signature = instanceSetSignature(next);
    const first = !this.loaded;
    this.loaded = true;
    if (!first && signature === this.signature) return;
    const previous = this.list;
    this.signature = signature;
    this.list = Object.freeze(next);
    if (first) this.settleFirstLoad();
    // Empty to empty on the first answer is no change; anything else is.
    if (first && next.length === 0) return;
    this.announce(previous, next);
    for (const handle of this.handles) handle.notifyChange(this.list);
  }

  private announce(previous: readonly ServiceInstance[], next: readonly ServiceInstance[]): void {
    if (!hasSubscribers(DIAGNOSTIC_CHANNELS.discoveryChange)) return;
    const before = new Set(previous.map((i) => i.id));
    const after = new Set(next.map((i) => i.id));
    publish(DIAGNOSTIC_CHANNELS.discoveryChange, {
      service: this.name,
      query: this.key,
      instances: next.length,
      added: [...after].filter((id) => !before.has(id)),
      removed: [...before].filter((id) => !after.has(id)),
    });
  }
}

/**
 * A live, cached list of the instances of one service: `consul.discovery.service(name, options)`.
 * Every cache of the same query shares one watch (one blocking query on
 * `/v1/health/service/:name`); `close()` releases this handle and the last one stops the watch.
 *
 * - `instances()` never blocks and never throws: before the first answer it is empty;
 * - while Consul fails it keeps serving the last good list (it is never emptied by an error) —
 *   see `healthy`, `lastUpdated` and `staleness()`;
 * - `change` fires only when the instance set really changed (not on every blocking-query return,
 *   nor on a check's output changing).
 *
 * @example
 * const users = consul.discovery.service('users', { tag: 'v2' });
 * await users.ready();
 * users.on('change', (list) => console.log(list.length, 'instances'));
 */
export class ServiceCache extends EventEmitter<ServiceCacheEvents> implements InstanceSource {
  /** Logical service name. */
  readonly name: string;
  /** Identity of the query (shared by caches of the same name and options). */
  readonly query: string;
  private released = false;

  /** @internal Use `consul.discovery.service()`. */
  constructor(private readonly shared: SharedInstances) {
    super();
    this.name = shared.name;
    this.query = shared.key;
    shared.attach(this);
  }

  /** The current instances (empty before the first answer). Never blocks. */
  instances(): readonly ServiceInstance[] {
    return this.shared.instances;
  }

  /**
   * Resolves once the first answer is in (at once when the shared watch already has it). Consul
   * being down does not reject it: the watch keeps retrying. Rejects when `signal` aborts, or when
   * the cache or the client is closed first.
   */
  ready(signal?: AbortSignal): Promise<void> {
    if (this.shared.hasValue) return Promise.resolve();
    if (this.released) return Promise.reject(closedError(this.name));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (!signal) return this.shared.whenLoaded();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(abortReason(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      this.shared.whenLoaded().then(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err as Error);
        },
      );
    });
  }

  /** True once loaded and while the last call to Consul succeeded. */
  get healthy(): boolean {
    return (
      this.shared.hasValue && this.shared.stats.consecutiveErrors === 0 && !this.shared.stopped
    );
  }

  /** `Date.now()` of the last good answer from Consul (undefined before the first). */
  get lastUpdated(): number | undefined {
    return this.shared.stats.lastSuccessAt;
  }

  /** The last error reading Consul (kept after recovery; `healthy` tells the current state). */
  get lastError(): Error | undefined {
    return this.shared.stats.lastError;
  }

  /**
   * How old the served list may be, in ms: 0 while the watch is healthy (a pending blocking query
   * means "nothing changed"), else the time since the last good answer; `Infinity` before the first.
   */
  staleness(): number {
    const last = this.shared.stats.lastSuccessAt;
    if (last === undefined) return Number.POSITIVE_INFINITY;
    return this.healthy ? 0 : Math.max(0, Date.now() - last);
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.released;
  }

  /** Releases this cache; the shared watch stops when no cache of the query remains. Idempotent. */
  close(): void {
    if (this.released) return;
    this.released = true;
    this.shared.detach(this);
  }

  /** @internal */
  notifyChange(instances: readonly ServiceInstance[]): void {
    if (this.released) return;
    try {
      this.emit('change', instances);
    } catch (err) {
      this.shared.listenerFailed(err);
    }
  }

  /** @internal */
  notifyError(error: Error): void {
    if (this.released || this.listenerCount('error') === 0) return;
    try {
      this.emit('error', error);
    } catch (err) {
      this.shared.listenerFailed(err);
    }
  }
}

function closedError(name: string): Error {
  return new ConsulAbortedError(`The discovery cache of "${name}" is closed`);
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new ConsulAbortedError('Waiting for the discovery cache was aborted');
}
