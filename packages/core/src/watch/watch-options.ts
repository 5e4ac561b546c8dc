import { type Duration, toMillis, toTimerMillis } from '../duration';
import { ConsulOptionError } from '../errors';
import { validateKnownOptions, optionKeys } from '../models/validate';
import { type QueryMeta } from '../query';
import { deepEqual } from './deep-equal';

/**
 * What a watch passes to its query function on every call. It is a valid `QueryOptions`, so a
 * read method takes it as is (`(q) => consul.kv.get('k', q)`) or spread with more options
 * (`(q) => consul.health.service('web', { ...q, passing: true })`).
 */
export interface WatchQuery {
  /** Index to block on; `undefined` for a plain read (first call, after an error or a reset). */
  index: number | undefined;
  /** Longest time the blocking query waits, in ms (always positive: `0` means "server default"). */
  wait: number;
  /** Aborted when the watch stops: ends the long poll in flight. */
  signal: AbortSignal;
  /** `?stale` when the watch was created with `stale: true`. */
  stale?: boolean;
  /** `?consistent` when the watch was created with `consistent: true`. */
  consistent?: boolean;
  /** `?cached` when the watch was created with `cached: true`. */
  cached?: boolean;
  /** Must receive the answer's metadata: the watch takes the next index from it. */
  onMeta: (meta: QueryMeta) => void;
}

/** A blocking read the watch calls in a loop. */
export type WatchQueryFn<T> = (query: WatchQuery) => Promise<T>;

/** Options of the loop itself; for a shared watch the first subscriber's options configure it. */
export interface WatchLoopOptions<T> {
  /** Longest time one blocking query waits. Default `'60s'`; at most `'10m'` (Consul's maximum). */
  wait?: Duration;
  /** Let any server answer (`?stale`): cheaper, may lag the leader slightly. */
  stale?: boolean;
  /** Leader confirms with a quorum first (`?consistent`): for lock monitors and fencing. */
  consistent?: boolean;
  /** Serve from the agent cache where the endpoint supports it (`?cached`). */
  cached?: boolean;
  /**
   * Refill interval of the success-path token bucket: calls after `burst` quick ones are spaced by
   * at least this much, so a churning result cannot turn the watch into a busy loop. `0` disables
   * it. Default `'1s'`.
   */
  minInterval?: Duration;
  /** Calls allowed back to back before `minInterval` applies. Default 2. */
  burst?: number;
  /** Jittered exponential backoff between failed calls. Default `{ min: '1s', max: '30s' }`. */
  backoff?: { min?: Duration; max?: Duration };
  /** Whether two results are the same (no `change`). Default {@link deepEqual}, which ignores `meta`. */
  equals?: (previous: T, next: T) => boolean;
}

/** Options of one subscriber to a watch. */
export interface WatchSubscriberOptions {
  /** Stops this subscriber (and the loop, if it was the last one) when it fires. */
  signal?: AbortSignal;
  /** Emit the first result (or, when joining a running shared watch, its current value) as a `change`. Default true. */
  emitInitial?: boolean;
}

/** Options of `consul.watch(queryFn, options)`. */
export interface WatchOptions<T> extends WatchLoopOptions<T>, WatchSubscriberOptions {
  /**
   * Identity of the query: watches created with the same `key` share one loop (one long poll),
   * ref-counted; it stops when the last one stops. Use a key that names the query and every option
   * that changes its result, e.g. `kv:get:config/app`.
   */
  key?: string;
}

/** The option names of {@link WatchLoopOptions} (unknown ones are rejected). */
export const WATCH_LOOP_OPTION_KEYS = optionKeys<WatchLoopOptions<unknown>>({
  wait: true,
  stale: true,
  consistent: true,
  cached: true,
  minInterval: true,
  burst: true,
  backoff: true,
  equals: true,
});
const BACKOFF_OPTION_KEYS = optionKeys<NonNullable<WatchLoopOptions<unknown>['backoff']>>({
  min: true,
  max: true,
});

/** The option names of {@link WatchSubscriberOptions}. */
export const WATCH_SUBSCRIBER_OPTION_KEYS = optionKeys<WatchSubscriberOptions>({
  signal: true,
  emitInitial: true,
});

/** {@link WatchLoopOptions} checked and converted to milliseconds. */
export interface ResolvedWatchLoopOptions<T> {
  waitMs: number;
  stale: boolean;
  consistent: boolean;
  cached: boolean;
  minIntervalMs: number;
  burst: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  equals: (previous: T, next: T) => boolean;
}

const MAX_WAIT_MS = 10 * 60_000;

/**
 * Validates watch options before anything is sent; a bad one throws a {@link ConsulOptionError}
 * naming it (e.g. `backoff.max`).
 */
export function resolveWatchOptions<T>(options: WatchLoopOptions<T>): ResolvedWatchLoopOptions<T> {
  const waitMs = toMillis(options.wait ?? 60_000, 'wait');
  if (waitMs < 1 || waitMs > MAX_WAIT_MS) {
    throw new ConsulOptionError('wait', 'a duration between 1ms and 10m', options.wait);
  }
  if (options.stale && options.consistent) {
    throw new ConsulOptionError('consistent', 'not combined with stale', true);
  }
  if (options.cached && options.consistent) {
    throw new ConsulOptionError('consistent', 'not combined with cached', true);
  }
  const burst = options.burst ?? 2;
  if (!Number.isSafeInteger(burst) || burst < 1) {
    throw new ConsulOptionError('burst', 'a positive integer', options.burst);
  }
  const backoff = options.backoff ?? {};
  if (typeof backoff !== 'object' || backoff === null) {
    throw new ConsulOptionError('backoff', 'an object { min, max }', backoff);
  }
  validateKnownOptions(backoff, BACKOFF_OPTION_KEYS, 'backoff');
  const backoffMinMs = toTimerMillis(backoff.min ?? 1_000, 'backoff.min');
  const backoffMaxMs = toTimerMillis(backoff.max ?? Math.max(30_000, backoffMinMs), 'backoff.max');
  if (backoffMinMs <= 0)
    throw new ConsulOptionError('backoff.min', 'a positive duration', backoff.min);
  if (backoffMaxMs < backoffMinMs) {
    throw new ConsulOptionError('backoff.max', 'a duration not below backoff.min', backoff.max);
  }
  if (options.equals !== undefined && typeof options.equals !== 'function') {
    throw new ConsulOptionError('equals', 'a function (previous, next) => boolean', options.equals);
  }
  return {
    waitMs,
    stale: options.stale === true,
    consistent: options.consistent === true,
    cached: options.cached === true,
    minIntervalMs: toTimerMillis(options.minInterval ?? 1_000, 'minInterval'),
    burst,
    backoffMinMs,
    backoffMaxMs,
    equals: options.equals ?? deepEqual,
  };
}

/** Validates the per-subscriber options. */
export function validateSubscriberOptions(options: WatchSubscriberOptions): void {
  const { signal, emitInitial } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new ConsulOptionError('signal', 'an AbortSignal', signal);
  }
  if (emitInitial !== undefined && typeof emitInitial !== 'boolean') {
    throw new ConsulOptionError('emitInitial', 'a boolean', emitInitial);
  }
}
