import { EventEmitter } from 'node:events';
import { type KvEntry } from '../endpoints/kv';
import { ConsulAbortedError, ConsulClosedError } from '../errors';
import { type ConsulLogger } from '../logger';
import { type WatchHub } from '../watch/hub';
import { type Watch } from '../watch/watch';
import { SnapshotBuilder } from './build';
import { Debouncer } from './debounce';
import { type ConsulConfigValidationError } from './errors';
import { planWatches, resolveLayers } from './layers';
import {
  type ConfigStoreOptions,
  type NormalizedConfigOptions,
  resolveConfigStoreOptions,
} from './store-options';
import { validateSnapshot } from './schema';
import { type ConfigChange, type ConfigSnapshot, diffSnapshots, freezeSnapshot } from './snapshot';

/** What a {@link ConfigStore} needs from the client (a `Consul` instance provides it). */
export interface ConfigStoreClient {
  /** Shared blocking-query watches: one long poll per prefix, whoever asks. */
  readonly watches: Pick<WatchHub, 'prefix' | 'key'>;
  /** The client's options; the store only uses its logger. */
  readonly options: { readonly logger: ConsulLogger };
  /** Closes the store with the client; returns a function that unregisters it. */
  onClose?(closer: () => Promise<void>): () => void;
}

/** Events of a {@link ConfigStore}. */
export type ConfigStoreEvents<T> = {
  /**
   * A new snapshot was published: the keys whose value or source changed, in key order, and the
   * snapshot now current. Not emitted for the first load (`ready()` resolves with it), except
   * when an `optional` store started on its defaults.
   */
  change: [changes: readonly ConfigChange[], snapshot: ConfigSnapshot<T>];
  /**
   * Something went wrong and the last good value stays: a value that does not parse
   * (`ConsulConfigParseError`, naming the Consul key; that key keeps its last good value while the
   * others still change; reported once per bad write), a rejected snapshot
   * (`ConsulConfigValidationError`, naming the config keys), or Consul unreachable (the watch's
   * error; it keeps retrying). Without a listener, errors are logged, never thrown.
   */
  error: [error: Error];
};

/** A per-key listener: the new value (its default when deleted) and the change that carried it. */
export type ConfigKeyListener<V = unknown> = (
  value: V | undefined,
  change: ConfigChange<V>,
) => void;

interface Waiter<T> {
  resolve: (snapshot: ConfigSnapshot<T>) => void;
  reject: (error: Error) => void;
}

/**
 * Typed configuration from Consul KV, kept current. Loads a prefix (or several layered prefixes,
 * or a list of keys), parses each value, validates the whole candidate snapshot, and publishes it
 * atomically; on every later write it debounces the burst, re-parses the changed keys,
 * re-validates, swaps, and emits `change` with per-key diffs. A value that fails to parse is never
 * published: its key keeps its last good value (the other keys' changes still go out) and `error`
 * names the Consul key, once per bad write. A snapshot the schema rejects is not published at all:
 * the last good snapshot stays. Deleted keys fall back to their defaults and are reported with
 * `deleted: true`.
 *
 * Create it with `consul.config(options)`; it closes with the client.
 *
 * @example
 * const config = consul.config({
 *   layers: ['config/web/', 'config/shared/'],
 *   keys: { limits: { parse: 'json', default: { rps: 100 } }, timeout: { parse: 'duration' } },
 * });
 * await config.ready();
 * config.get<number>('timeout', 3000);
 * config.source('limits'); // 'config/shared/limits'
 * config.onKey('limits', (limits) => limiter.reset(limits));
 */
export class ConfigStore<T extends object = Record<string, unknown>> extends EventEmitter<
  ConfigStoreEvents<T>
> {
  private readonly options: NormalizedConfigOptions;
  private readonly logger: ConsulLogger;
  private readonly builder: SnapshotBuilder;
  private readonly debouncer: Debouncer;
  private readonly watches: Array<Watch<KvEntry[]> | Watch<KvEntry | undefined>> = [];
  private readonly latest = new Map<string, readonly KvEntry[]>();
  private readonly keyListeners = new Map<string, Set<ConfigKeyListener>>();
  private readonly waiters = new Set<Waiter<T>>();
  private current: ConfigSnapshot<T>;
  private loaded = false;
  private applying: Promise<void> | undefined;
  private dirty = false;
  private closing: Promise<void> | undefined;
  private readonly unregister: (() => void) | undefined;

  /**
   * Validates `options` (a bad one throws `ConsulOptionError` naming it, before any request) and
   * starts watching at once; `ready()` tells when the first load is done.
   */
  constructor(client: ConfigStoreClient, options: ConfigStoreOptions<T>) {
    super();
    this.options = resolveConfigStoreOptions(options);
    this.logger = client.options.logger;
    this.builder = new SnapshotBuilder(this.options.format, this.options.keyOptions);
    this.debouncer = new Debouncer(this.options.debounceMs, this.options.maxDelayMs, () =>
      this.schedule(),
    );
    const defaults = this.builder.build(new Map());
    this.current = freezeSnapshot<T>(defaults.values, {}, 0);
    this.start(client);
    this.unregister = client.onClose?.(() => this.close());
  }

  /** Whether the first full load was published. */
  get isLoaded(): boolean {
    return this.loaded;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Resolves with the first loaded snapshot (at once when there is one). Rejects with the watch's
   * typed error when Consul cannot be reached (after the transport's retries) — or resolves with the
   * defaults when the store is `optional` — and with a parse or validation error when the first
   * load is invalid. The store keeps trying either way: a later call waits for the next outcome.
   */
  ready(): Promise<ConfigSnapshot<T>> {
    if (this.loaded) return Promise.resolve(this.current);
    if (this.closing) return Promise.reject(new ConsulClosedError('The config store is closed'));
    return new Promise((resolve, reject) => this.waiters.add({ resolve, reject }));
  }

  /** The current snapshot: frozen values, their sources and a version. */
  snapshot(): ConfigSnapshot<T> {
    return this.current;
  }

  /**
   * The current value of a config key (relative to its layer's prefix), or `fallback` when it has
   * none (not in Consul and no default). Values are frozen.
   */
  get<K extends keyof T & string>(key: K): T[K];
  get<V = unknown>(key: string, fallback: V): V;
  get<V = unknown>(key: string): V | undefined;
  get(key: string, fallback?: unknown): unknown {
    const values = this.current.values as Readonly<Record<string, unknown>>;
    return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : fallback;
  }

  /** Whether the key has a value (from Consul or a default). */
  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.current.values, key);
  }

  /** The Consul key that set this config key's current value; `undefined` for defaults and absent keys. */
  source(key: string): string | undefined {
    const sources = this.current.sources;
    return Object.prototype.hasOwnProperty.call(sources, key) ? sources[key] : undefined;
  }

  /** Config keys that have a value, sorted. */
  keys(): string[] {
    return Object.keys(this.current.values).sort();
  }

  /**
   * Calls `listener` after every published change of `key` (value or source), with the new value
   * (its default, or `undefined`, when deleted). Not called for the current value. A throwing
   * listener is reported as an `error` and does not stop the others. Returns an unsubscribe
   * function.
   */
  onKey<V = unknown>(key: string, listener: ConfigKeyListener<V>): () => void {
    if (typeof listener !== 'function') throw new TypeError('onKey: listener must be a function');
    let set = this.keyListeners.get(key);
    if (!set) this.keyListeners.set(key, (set = new Set()));
    const stored = listener as ConfigKeyListener;
    set.add(stored);
    return () => {
      set.delete(stored);
      if (set.size === 0 && this.keyListeners.get(key) === set) this.keyListeners.delete(key);
    };
  }

  /** Stops the watches (ending their long polls unless shared) and pending work. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.unregister?.();
      this.debouncer.cancel();
      this.settle(undefined, new ConsulClosedError('The config store was closed before it loaded'));
      await Promise.allSettled(this.watches.map((w) => w.stop()));
      await this.applying;
    })();
    return this.closing;
  }

  private start(client: ConfigStoreClient): void {
    const plan = planWatches(this.options.layers, this.options.selection);
    const loop = { wait: this.options.waitMs, stale: this.options.stale || undefined };
    for (const prefix of plan.lists) {
      const id = `list:${prefix}`;
      const watch = client.watches.prefix(prefix, loop);
      this.watches.push(watch);
      watch.on('change', (entries) => this.received(id, entries));
      watch.on('error', (error) => this.watchFailed(error));
    }
    for (const key of plan.gets) {
      const id = `get:${key}`;
      const watch = client.watches.key(key, loop);
      this.watches.push(watch);
      watch.on('change', (entry) => this.received(id, entry ? [entry] : []));
      watch.on('error', (error) => this.watchFailed(error));
    }
  }

  private get groupCount(): number {
    return this.watches.length;
  }

  private received(id: string, entries: readonly KvEntry[]): void {
    if (this.closing) return;
    this.latest.set(id, entries);
    if (this.latest.size < this.groupCount) return;
    // The first full load is published at once; later writes are debounced.
    if (this.loaded) this.debouncer.trigger();
    else this.schedule();
  }

  private watchFailed(error: Error): void {
    if (this.closing) return;
    // Unheard, it is not logged again: the watch loop already logs each outage once.
    if (this.listenerCount('error') > 0) this.report(error);
    if (this.loaded) return;
    if (this.options.optional) {
      this.loaded = true;
      this.settle(this.current, undefined);
    } else {
      this.settle(undefined, error);
    }
  }

  /** Runs `apply`, one at a time: writes arriving during a run trigger one more run after it. */
  private schedule(): void {
    if (this.applying) {
      this.dirty = true;
      return;
    }
    this.applying = (async () => {
      do {
        this.dirty = false;
        try {
          await this.apply();
        } catch (err) {
          this.report(err instanceof Error ? err : new Error(String(err)));
        }
      } while (this.dirty && !this.closing);
      this.applying = undefined;
    })();
  }

  private async apply(): Promise<void> {
    if (this.closing) return;
    const entries = [...this.latest.values()].flat();
    const resolved = resolveLayers(this.options.layers, this.options.selection, entries);
    // Once loaded, a key that does not parse keeps its last good value and the other keys' changes
    // are still published; the first load has no good value to keep, so it fails as a whole.
    const built = this.builder.build(
      resolved,
      this.loaded ? (key) => this.lastGood(key) : undefined,
    );
    for (const error of built.newErrors) this.report(error);
    if (!this.loaded && built.errors.length > 0) {
      this.firstLoadFailed(built.errors[0] as Error);
      return;
    }
    let values: Readonly<Record<string, unknown>> = built.values;
    if (this.options.schema) {
      const draft = freezeSnapshot<T>({ ...built.values }, built.sources, this.current.version);
      const changed = diffSnapshots(this.current, draft).map((c) => c.key);
      try {
        values = await validateSnapshot(
          this.options.schema,
          draft.values as Record<string, unknown>,
          changed,
        );
      } catch (err) {
        this.report(err as ConsulConfigValidationError);
        this.firstLoadFailed(err as Error);
        return;
      }
      if (this.closing) return;
    }
    this.publish(values, built.sources);
  }

  private publish(
    values: Readonly<Record<string, unknown>>,
    allSources: Record<string, string>,
  ): void {
    // Without a schema, `values` is the builder's fresh object holding every sourced key: freeze it
    // as is (copying and filtering 10,000 keys is a measurable share of a large prefix's change,
    // bench/large-watch). A schema may drop keys (zod strips unknown ones): their provenance goes
    // with them, and its output is copied before it is frozen.
    const fresh = this.options.schema === undefined;
    let sources = allSources;
    if (!fresh) {
      sources = {};
      for (const [key, source] of Object.entries(allSources)) {
        if (Object.prototype.hasOwnProperty.call(values, key)) sources[key] = source;
      }
    }
    const next = freezeSnapshot<T>(
      fresh || Object.isFrozen(values) ? values : { ...values },
      sources,
      this.current.version + 1,
    );
    const changes = diffSnapshots(this.current, next);
    if (changes.length === 0 && this.loaded) return;
    // The first load is what ready() hands out, not a change; after an `optional` start on
    // defaults, the first real load is one.
    const announce = this.loaded;
    this.current = next;
    if (!this.loaded) {
      this.loaded = true;
      this.settle(next, undefined);
      // A one-shot store stops watching once it has its first snapshot.
      if (!this.options.watch) for (const watch of this.watches) void watch.stop();
    }
    if (changes.length === 0 || !announce) return;
    this.safely('change listener', () => this.emit('change', changes, next));
    for (const change of changes) {
      for (const listener of [...(this.keyListeners.get(change.key) ?? [])]) {
        this.safely(`onKey("${change.key}") listener`, () => listener(change.value, change));
      }
    }
  }

  /** The value and source `key` holds in the published snapshot (undefined when it has none). */
  private lastGood(key: string): { value: unknown; source: string | undefined } | undefined {
    if (!this.has(key)) return undefined;
    return { value: this.get(key), source: this.source(key) };
  }

  private firstLoadFailed(error: Error): void {
    if (!this.loaded) this.settle(undefined, error);
  }

  private settle(snapshot: ConfigSnapshot<T> | undefined, error: Error | undefined): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) {
      if (snapshot) waiter.resolve(snapshot);
      else waiter.reject(error ?? new ConsulAbortedError('The config store stopped'));
    }
  }

  /** Runs user code; a throw is reported (or logged) and never reaches the watch or other listeners. */
  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.error(`A config store ${what} threw`, { error: message });
    }
  }

  /** Emits `error` when someone listens, else logs it: an unheard error must not crash the app. */
  private report(error: Error): void {
    if (this.listenerCount('error') > 0) {
      try {
        this.emit('error', error);
      } catch (err) {
        this.logger.error('A config store error listener threw', {
          error: err instanceof Error ? err.message : String(err),
        });
      }
      return;
    }
    const key = (error as { key?: unknown }).key;
    this.logger.warn(`Config store: ${error.message}`, typeof key === 'string' ? { key } : {});
  }
}
