import { ConsulAbortedError, ConsulClosedError, ConsulOptionError } from '../errors';
import { backoffDelay, sleep } from '../internal/backoff';
import { type ConsulLogger } from '../logger';
import { type QueryMeta } from '../query';
import { indexAfterError, indexAfterSuccess } from './index-rules';
import { type ResolvedWatchLoopOptions, type WatchQuery, type WatchQueryFn } from './watch-options';
import { TokenBucket } from './token-bucket';

/** Details passed with every watch `error` event. */
export interface WatchErrorInfo {
  /** Failed calls in a row, this one included. */
  consecutiveErrors: number;
  /** Backoff before the next call, in ms (jittered, capped at `backoff.max`). */
  retryInMs: number;
  /** Index of the last good answer (0 before the first). */
  index: number;
}

/** Health of a watch loop: how fresh its value is and how it fails. */
export interface WatchStats {
  /** `X-Consul-Index` of the last good answer; 0 before the first. */
  index: number;
  /** Most recent failure (kept after recovery; see `consecutiveErrors` for the current state). */
  lastError: Error | undefined;
  /** Failed calls since the last good answer; 0 when healthy. */
  consecutiveErrors: number;
  /** `Date.now()` of the last good answer: `Date.now() - lastSuccessAt` is the staleness age. */
  lastSuccessAt: number | undefined;
  /** `Date.now()` when the value last changed (the first result included). */
  lastChangeAt: number | undefined;
  /** Metadata of the last good answer (leader contact, cache hit and age). */
  lastMeta: QueryMeta | undefined;
  /** Calls made to the query function. */
  calls: number;
  /** Subscribers sharing this loop. */
  subscribers: number;
}

/** What a loop reports to each subscriber. */
export interface LoopSubscriber<T> {
  /** A new value; `initial` for the first good answer. */
  deliver(value: T, previous: T | undefined, initial: boolean): void;
  /** A failed call; the loop keeps going. */
  fail(error: Error, info: WatchErrorInfo): void;
  /** The loop ended: `error` when it could not go on (bad options), undefined on a plain stop. */
  end(error: Error | undefined): void;
}

/**
 * One blocking-query loop: carries the index by Consul's rules, paces good answers with a token
 * bucket, backs off with jitter on errors, and tells its subscribers about real changes only. A
 * shared watch has one loop and many subscribers.
 */
export class WatchLoop<T> {
  private readonly controller = new AbortController();
  private readonly subscribers = new Set<LoopSubscriber<T>>();
  private readonly bucket: TokenBucket;
  private value: T | undefined;
  private valueSeen = false;
  private nextIndex = 0;
  private stopping = false;
  private endError: Error | undefined;
  /** The query function's own promise, which may outlive an aborted call by a moment. */
  private inflight: Promise<unknown> | undefined;
  private readonly stats: Omit<WatchStats, 'subscribers'> = {
    index: 0,
    lastError: undefined,
    consecutiveErrors: 0,
    lastSuccessAt: undefined,
    lastChangeAt: undefined,
    lastMeta: undefined,
    calls: 0,
  };
  /** Settles (never rejects) once the loop has exited and its subscribers were told. */
  readonly done: Promise<void>;

  constructor(
    private readonly queryFn: WatchQueryFn<T>,
    private readonly options: ResolvedWatchLoopOptions<T>,
    private readonly logger: ConsulLogger,
    /** Shown in log lines; never contains a token. */
    readonly label: string,
  ) {
    this.bucket = new TokenBucket({ burst: options.burst, interval: options.minIntervalMs });
    this.done = this.run();
  }

  /** Whether a good answer arrived yet. */
  get hasValue(): boolean {
    return this.valueSeen;
  }

  /** Last good value (`undefined` before the first). */
  get current(): T | undefined {
    return this.value;
  }

  /** Whether the loop was stopped or ended. */
  get stopped(): boolean {
    return this.stopping;
  }

  /** Why the loop ended, when it ended on its own (bad options); undefined otherwise. */
  get error(): Error | undefined {
    return this.endError;
  }

  /** Number of subscribers. */
  get size(): number {
    return this.subscribers.size;
  }

  /** A snapshot of the loop's health. */
  snapshot(): WatchStats {
    return { ...this.stats, subscribers: this.subscribers.size };
  }

  add(subscriber: LoopSubscriber<T>): void {
    this.subscribers.add(subscriber);
  }

  /** Removes a subscriber; returns how many remain. */
  remove(subscriber: LoopSubscriber<T>): number {
    this.subscribers.delete(subscriber);
    return this.subscribers.size;
  }

  /** Stops the loop, aborting the long poll in flight; resolves once it has exited. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.controller.abort(new ConsulAbortedError(`Watch ${this.label} stopped`));
    }
    return this.done;
  }

  private async run(): Promise<void> {
    // Never call user code synchronously from the constructor: listeners are not attached yet.
    await Promise.resolve();
    let pace = false;
    while (!this.stopping) {
      if (pace && !(await this.pause(this.bucket.reserve()))) break;
      const sent = this.nextIndex;
      let meta: QueryMeta | undefined;
      let result: T;
      this.stats.calls++;
      try {
        result = await this.call({
          index: sent > 0 ? sent : undefined,
          wait: this.options.waitMs,
          signal: this.controller.signal,
          stale: this.options.stale || undefined,
          consistent: this.options.consistent || undefined,
          cached: this.options.cached || undefined,
          onMeta: (m) => (meta = m),
        });
      } catch (err) {
        if (this.stopping) break;
        const error = toError(err);
        if (isFatal(error)) {
          this.endWith(error);
          break;
        }
        pace = false;
        if (!(await this.pause(this.failed(error)))) break;
        continue;
      }
      if (this.stopping) break;
      pace = true;
      this.succeeded(sent, result, meta);
    }
    this.stopping = true;
    for (const subscriber of [...this.subscribers]) subscriber.end(this.endError);
    await this.settleInflight();
  }

  /**
   * Lets the aborted call finish unwinding (its connection and long-poll slot released) before
   * `stop()` resolves, without hanging on a query function that ignores its signal.
   */
  private async settleInflight(): Promise<void> {
    const inflight = this.inflight;
    if (!inflight) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, INFLIGHT_GRACE_MS);
      timer.unref();
    });
    await Promise.race([inflight.then(noop, noop), grace]);
    clearTimeout(timer);
  }

  /** Calls the query function, but lets `stop()` win even if the function ignores its signal. */
  private call(query: WatchQuery): Promise<T> {
    const signal = this.controller.signal;
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    let promise: Promise<T>;
    try {
      promise = Promise.resolve(this.queryFn(query));
    } catch (err) {
      return Promise.reject(err);
    }
    this.inflight = promise;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          if (this.inflight === promise) this.inflight = undefined;
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          if (this.inflight === promise) this.inflight = undefined;
          reject(err);
        },
      );
    });
  }

  /** Sleeps unless stopped; false when the loop should exit. */
  private async pause(ms: number): Promise<boolean> {
    if (ms <= 0) return !this.stopping;
    try {
      await sleep(ms, this.controller.signal);
      return true;
    } catch {
      return false;
    }
  }

  private failed(error: Error): number {
    this.stats.consecutiveErrors++;
    this.stats.lastError = error;
    // Never adopt an index from a failure; read fresh next time so a reset is noticed at once.
    this.nextIndex = indexAfterError();
    const { backoffMinMs, backoffMaxMs } = this.options;
    const retryInMs = backoffDelay(this.stats.consecutiveErrors - 1, backoffMinMs, backoffMaxMs);
    const info: WatchErrorInfo = {
      consecutiveErrors: this.stats.consecutiveErrors,
      retryInMs,
      index: this.stats.index,
    };
    const context = {
      watch: this.label,
      error: error.message,
      consecutiveErrors: info.consecutiveErrors,
      retryInMs: Math.round(retryInMs),
    };
    // One warning per outage; the rest at debug so a long outage does not flood the log.
    if (info.consecutiveErrors === 1) this.logger.warn('Consul watch failed; retrying', context);
    else this.logger.debug('Consul watch failed again', context);
    for (const subscriber of [...this.subscribers]) subscriber.fail(error, info);
    return retryInMs;
  }

  private succeeded(sent: number, result: T, meta: QueryMeta | undefined): void {
    const step = indexAfterSuccess(sent, meta?.index);
    this.nextIndex = step.next;
    const now = Date.now();
    if (this.stats.consecutiveErrors > 0) {
      this.logger.info('Consul watch recovered', {
        watch: this.label,
        after: this.stats.consecutiveErrors,
      });
    }
    this.stats.consecutiveErrors = 0;
    this.stats.lastSuccessAt = now;
    this.stats.lastMeta = meta;
    if (meta && meta.index > 0) this.stats.index = meta.index;
    if (step.reset) {
      this.logger.debug('Consul index went backwards; re-reading', {
        watch: this.label,
        sent,
        returned: meta?.index,
      });
    }
    if (!this.valueSeen) {
      this.valueSeen = true;
      this.value = result;
      this.stats.lastChangeAt = now;
      for (const subscriber of [...this.subscribers]) subscriber.deliver(result, undefined, true);
      return;
    }
    // The same index is a timeout or a wake-up without a change (BQ-11).
    if (step.unchanged) return;
    const previous = this.value as T;
    if (this.options.equals(previous, result)) return;
    this.value = result;
    this.stats.lastChangeAt = now;
    for (const subscriber of [...this.subscribers]) subscriber.deliver(result, previous, false);
  }

  private endWith(error: Error): void {
    this.endError = error;
    this.stats.lastError = error;
    const context = { watch: this.label, error: error.message };
    if (error instanceof ConsulClosedError) this.logger.debug('Consul watch ended', context);
    else this.logger.error('Consul watch cannot continue', context);
    for (const subscriber of [...this.subscribers]) {
      subscriber.fail(error, { consecutiveErrors: 0, retryInMs: 0, index: this.stats.index });
    }
  }
}

const INFLIGHT_GRACE_MS = 1_000;

function noop(): void {}

/** Errors no retry can fix: bad options (thrown before sending) or a closed client. */
function isFatal(error: Error): boolean {
  return error instanceof ConsulOptionError || error instanceof ConsulClosedError;
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
