import { type ConfigStoreOptions } from '../config-store/store-options';
import { ConfigStore, type ConfigStoreClient } from '../config-store/store';
import { type Consul } from '../consul';
import { type CoordinationContext } from '../coordination/context';
import { LeaderElection, type LeaderOptions } from '../coordination/leader';
import { Lock, type LockOptions } from '../coordination/lock';
import { Semaphore, type SemaphoreOptions } from '../coordination/semaphore';
import {
  type ConsulHttpOptions,
  createServiceClient,
  type ServiceClientContext,
} from '../discovery/discovery';
import { ConsulClosedError, ConsulOptionError } from '../errors';
import { type ServiceClient } from '../http/service-client';
import { bounded } from '../internal/bounded';
import { deepEqual } from '../watch';

/** Something a scope ends when it closes. */
export type ScopeCloser = () => Promise<unknown> | unknown;

/** Options of a {@link ResourceScope}. */
export interface ResourceScopeOptions {
  /**
   * Why the scope ended, e.g. `'The Fastify app is closing'`: the reason of {@link
   * ResourceScope.signal} and the message of the `ConsulClosedError` thrown by recipes asked for
   * after `close()`.
   */
  reason?: string;
}

/** Options of {@link ResourceScope.close}. */
export interface ResourceScopeCloseOptions {
  /**
   * Bound on each closer, in milliseconds (releasing a lock or a session needs the agent, which may
   * be gone). Default: unbounded.
   */
  timeoutMs?: number;
  /** Receives each closer's failure or timeout; never thrown, so shutdown goes on. */
  onError?(err: unknown): void;
}

/** What the recipes need from a client (its endpoints), with the scope's close hook. */
type ScopedContext = CoordinationContext & ServiceClientContext & ConfigStoreClient;

/**
 * The recipes one owner (an app) created on a client — config stores, service clients, locks,
 * semaphores, elections — ended together when the owner ends, even when the client itself outlives it (an
 * adopted client). Recipes made through the scope register their closers with the scope *and* the
 * client, exactly as they do with the client alone: a lock registers while it is acquired or
 * held, an election while it runs, and each leaves both lists when it ends on its own.
 *
 * @example
 * const scope = new ResourceScope(consul, { reason: 'The worker is stopping' });
 * const store = scope.config({ prefix: 'config/worker/' });
 * const held = await scope.lock('jobs/cleanup').acquire();
 * // ...
 * await scope.close({ timeoutMs: 5_000 }); // store closed, lock released; consul stays open
 */
export class ResourceScope {
  private readonly closers = new Set<ScopeCloser>();
  private readonly controller = new AbortController();
  private readonly services = new Map<
    string,
    { client: ServiceClient; options: ConsulHttpOptions | undefined }
  >();
  private readonly context: ScopedContext;
  private readonly reason: string;
  private closing: Promise<void> | undefined;

  constructor(
    /** The client the recipes are made on. */
    readonly client: Consul,
    options: ResourceScopeOptions = {},
  ) {
    this.reason = options.reason ?? 'The resource scope is closed';
    // The client's endpoints, with a close hook that also answers to this scope.
    this.context = {
      agent: client.agent,
      kv: client.kv,
      session: client.session,
      txn: client.txn,
      watches: client.watches,
      discovery: client.discovery,
      options: client.options,
      onClose: (closer) => this.bind(closer),
    };
  }

  /**
   * Aborts when the scope closes (reason: a `ConsulClosedError`): pass it to waits of your own so
   * none outlives the owner.
   */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  /** Tracks `closer` (run on close, newest first); returns a function that forgets it. */
  add(closer: ScopeCloser): () => void {
    this.closers.add(closer);
    return () => this.closers.delete(closer);
  }

  /** A hot-reloaded KV config store (`consul.config`), closed with the scope. */
  config<T extends object = Record<string, unknown>>(
    options: ConfigStoreOptions<T>,
  ): ConfigStore<T> {
    this.assertOpen();
    return new ConfigStore<T>(this.context, options);
  }

  /**
   * The discovery-backed HTTP client of a service (`consul.http`), cached per name for the scope's
   * lifetime (pools and watches are costly): call it with options once, then without. Other options
   * for a cached name throw a `ConsulOptionError` naming `service("<name>").options`.
   */
  service(name: string, options?: ConsulHttpOptions): ServiceClient {
    this.assertOpen();
    const cached = this.services.get(name);
    if (cached && !cached.client.closed) {
      if (options !== undefined && !deepEqual(options, cached.options ?? {})) {
        throw new ConsulOptionError(
          `service("${name}").options`,
          'the options of the first call (service clients are cached per name; ' +
            'create the client once with its options, then call service(name) without)',
          options,
        );
      }
      return cached.client;
    }
    const client = this.http(name, options);
    this.services.set(name, { client, options });
    return client;
  }

  /** A discovery-backed HTTP client of its own (`consul.http`, not cached), closed with the scope. */
  http(name: string, options?: ConsulHttpOptions): ServiceClient {
    this.assertOpen();
    return createServiceClient(this.context, name, options);
  }

  /**
   * A distributed lock (`consul.lock`) bound to the scope: a pending `acquire()` rejects and a held
   * lock is released when the scope closes (`options.signal`, if given, ends it too).
   */
  lock(key: string, options: LockOptions = {}): Lock {
    this.assertOpen();
    const signal = options.signal ? AbortSignal.any([options.signal, this.signal]) : this.signal;
    return new Lock(this.context, key, { ...options, signal });
  }

  /**
   * A counting semaphore (`consul.semaphore`) bound to the scope: a pending `acquire()` rejects and
   * a held slot is released when the scope closes.
   */
  semaphore(prefix: string, limit: number, options?: SemaphoreOptions): Semaphore {
    this.assertOpen();
    return new Semaphore(this.context, prefix, limit, options);
  }

  /** A leader election (`consul.leader`; call `start()`), stopped — leadership released — on close. */
  leader(key: string, options?: LeaderOptions): LeaderElection {
    this.assertOpen();
    return new LeaderElection(this.context, key, options);
  }

  /**
   * Ends everything: aborts {@link signal} (pending lock acquisitions stop), then runs the closers,
   * newest first, concurrently, each bounded by `timeoutMs`. Failures go to `onError`. Idempotent.
   */
  close(options: ResourceScopeCloseOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      this.controller.abort(new ConsulClosedError(this.reason));
      const closers = [...this.closers].reverse();
      this.closers.clear();
      const { timeoutMs, onError } = options;
      const results = await Promise.allSettled(
        closers.map((close) => {
          const done = Promise.resolve().then(close);
          return timeoutMs === undefined ? done : bounded(done, timeoutMs, 'closing');
        }),
      );
      for (const r of results) if (r.status === 'rejected') onError?.(r.reason);
    })();
    return this.closing;
  }

  /**
   * Registers a recipe's closer with the client and with the scope; whichever closes first runs it
   * and removes it from the other (so it runs once), and the recipe's own unregister removes both.
   */
  private bind(closer: () => Promise<void> | void): () => void {
    const both = () => {
      offClient();
      offScope();
    };
    const once = () => {
      both();
      return closer();
    };
    const offClient = this.client.onClose(once);
    const offScope = this.add(once);
    return both;
  }

  private assertOpen(): void {
    if (this.closed) throw new ConsulClosedError(this.reason);
  }
}
