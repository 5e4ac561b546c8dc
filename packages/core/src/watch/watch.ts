import { EventEmitter } from 'node:events';
import { ConsulAbortedError } from '../errors';
import { type ConsulLogger } from '../logger';
import { type LoopSubscriber, type WatchErrorInfo, type WatchLoop, type WatchStats } from './loop';
import { type WatchSubscriberOptions } from './watch-options';

/** Events of a {@link Watch}. */
export type WatchEvents<T> = {
  /** The value changed (the first result too, unless `emitInitial: false`). */
  change: [value: T, previous: T | undefined];
  /** A call failed; the watch keeps its last good value and retries after `info.retryInMs`. */
  error: [error: Error, info: WatchErrorInfo];
};

interface IteratorState<T> {
  pending: boolean;
  value: T | undefined;
  wake: (() => void) | undefined;
}

/**
 * A subscription to a blocking-query loop: `change` and `error` events, an async iterator, the last
 * good value, and `stop()`. Unshared watches own their loop; shared ones (same `key`) hold a
 * reference to it, and the loop stops when the last subscription stops.
 *
 * An `error` event without a listener is logged, never thrown. The async iterator yields the
 * current value first (when there is one and `emitInitial` is on), then each change; a consumer
 * slower than the changes gets the newest value (intermediate ones are skipped, so no backlog
 * builds up). Leaving a `for await` loop early stops the watch.
 *
 * @example
 * const watch = consul.watch((q) => consul.kv.get('config/app/timeout', q));
 * watch.on('change', (entry) => apply(entry?.value));
 * await watch.ready();
 * // later
 * await watch.stop();
 */
export class Watch<T> extends EventEmitter<WatchEvents<T>> {
  private readonly emitInitial: boolean;
  private readonly signal: AbortSignal | undefined;
  private readonly iterators = new Set<IteratorState<T>>();
  private readonly readyWaiters = new Set<{
    resolve: (value: T) => void;
    reject: (error: Error) => void;
  }>();
  private ended = false;
  private endError: Error | undefined;
  private stopping: Promise<void> | undefined;
  private readonly subscriber: LoopSubscriber<T>;
  private readonly onAbort = () => void this.stop();

  /** @internal Created by `consul.watch()` / `WatchHub`; not meant to be constructed directly. */
  constructor(
    private readonly loop: WatchLoop<T>,
    options: WatchSubscriberOptions,
    private readonly detach: (subscriber: LoopSubscriber<T>) => Promise<void>,
    private readonly logger: ConsulLogger,
    /** The sharing key, for shared watches. */
    readonly key: string | undefined,
  ) {
    super();
    this.emitInitial = options.emitInitial ?? true;
    this.signal = options.signal;
    this.subscriber = {
      deliver: (value, previous, initial) => this.deliver(value, previous, initial),
      fail: (error, info) => this.fail(error, info),
      end: (error) => this.finish(error),
    };
    loop.add(this.subscriber);
    if (loop.stopped) queueMicrotask(() => this.finish(loop.error));
    if (this.signal?.aborted) queueMicrotask(this.onAbort);
    else this.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (loop.hasValue && this.emitInitial) {
      // Joining a running shared loop: hand over its value once the caller attached listeners.
      queueMicrotask(() => this.deliver(loop.current as T, undefined, true));
    }
  }

  /** Last good value; `undefined` before the first result (or when the value is absent). */
  get current(): T | undefined {
    return this.loop.current;
  }

  /** Whether a first result arrived. */
  get hasValue(): boolean {
    return this.loop.hasValue;
  }

  /** Whether this watch stopped (by `stop()`, its signal, a closed client, or bad options). */
  get stopped(): boolean {
    return this.ended;
  }

  /** Health of the underlying loop: index, errors in a row, last success time, calls. */
  get stats(): WatchStats {
    return this.loop.snapshot();
  }

  /**
   * Resolves with the first good value (at once when there is one). Rejects when the watch stops
   * before, or when `options.signal` fires (which does not stop the watch).
   */
  ready(options: { signal?: AbortSignal } = {}): Promise<T> {
    if (this.loop.hasValue) return Promise.resolve(this.loop.current as T);
    if (this.ended) return Promise.reject(this.stoppedError());
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.readyWaiters.delete(waiter);
        reject(abortReason(signal as AbortSignal));
      };
      const waiter = {
        resolve: (value: T) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.readyWaiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Stops this watch: no more events, iterators end. The loop (and its long poll in flight) is
   * aborted at once unless other subscribers share it. Resolves once that is done. Idempotent.
   */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.finish(undefined);
      this.stopping = this.detach(this.subscriber);
    }
    return this.stopping;
  }

  /** Yields the current value (if any), then every change, until the watch stops. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    const state: IteratorState<T> = { pending: false, value: undefined, wake: undefined };
    if (this.loop.hasValue && this.emitInitial) {
      state.pending = true;
      state.value = this.loop.current;
    }
    if (!this.ended) this.iterators.add(state);
    const iterator: AsyncIterableIterator<T> = {
      next: async (): Promise<IteratorResult<T>> => {
        while (!state.pending && this.iterators.has(state)) {
          await new Promise<void>((resolve) => (state.wake = resolve));
        }
        if (state.pending) {
          const value = state.value as T;
          state.pending = false;
          state.value = undefined;
          return { value, done: false };
        }
        if (this.endError) throw this.endError;
        return { value: undefined, done: true };
      },
      return: async (): Promise<IteratorResult<T>> => {
        this.iterators.delete(state);
        await this.stop();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  private deliver(value: T, previous: T | undefined, initial: boolean): void {
    if (this.ended) return;
    for (const waiter of [...this.readyWaiters]) waiter.resolve(value);
    this.readyWaiters.clear();
    if (initial && !this.emitInitial) return;
    for (const state of this.iterators) {
      state.pending = true;
      state.value = value;
      state.wake?.();
      state.wake = undefined;
    }
    try {
      this.emit('change', value, previous);
    } catch (err) {
      // A throwing listener must not kill the loop other subscribers depend on.
      this.logger.error('A Consul watch change listener threw', {
        watch: this.loop.label,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private fail(error: Error, info: WatchErrorInfo): void {
    if (this.ended || this.listenerCount('error') === 0) return;
    try {
      this.emit('error', error, info);
    } catch (err) {
      this.logger.error('A Consul watch error listener threw', {
        watch: this.loop.label,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private finish(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.endError = error;
    this.signal?.removeEventListener('abort', this.onAbort);
    const reason = this.stoppedError();
    for (const waiter of [...this.readyWaiters]) waiter.reject(reason);
    this.readyWaiters.clear();
    for (const state of [...this.iterators]) {
      this.iterators.delete(state);
      state.wake?.();
      state.wake = undefined;
    }
  }

  private stoppedError(): Error {
    return this.endError ?? new ConsulAbortedError('The watch stopped before its first result');
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new ConsulAbortedError('Waiting for the watch was aborted');
}
