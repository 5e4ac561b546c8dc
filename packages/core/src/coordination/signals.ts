import { type Duration, toTimerMillis } from '../duration';
import { ConsulAbortedError, ConsulOptionError, ConsulError } from '../errors';
import { validateKnownOptions, optionKeys } from '../models/validate';
import { ConsulLockError } from './errors';

/** Options of `acquire()` on locks and semaphores. */
export interface AcquireOptions {
  /** Abandons the attempt (rejects with `ConsulAbortedError`). */
  signal?: AbortSignal;
  /** Gives up after this long (rejects with `ConsulLockError`, reason `timeout`). Default: never. */
  timeout?: Duration;
}

/** The option names of {@link AcquireOptions} (unknown ones are rejected). */
const ACQUIRE_OPTION_KEYS = optionKeys<AcquireOptions>({ signal: true, timeout: true });

/**
 * One acquisition attempt's cancellation: the caller's signal, the optional timeout and the
 * object's own stop, merged into one signal whose reason is already the error to throw.
 */
export class Attempt {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly detach: () => void;
  private markSettled!: () => void;
  /** Resolves once the attempt has finished and cleaned up (`dispose()`); awaited on client close. */
  readonly settled = new Promise<void>((resolve) => (this.markSettled = resolve));
  /** Monotonic deadline, `Infinity` without timeout. */
  readonly deadline: number;

  constructor(options: AcquireOptions, what: string, key: string) {
    validateKnownOptions(options, ACQUIRE_OPTION_KEYS);
    const timeoutMs =
      options.timeout === undefined ? undefined : toTimerMillis(options.timeout, 'timeout');
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new ConsulOptionError('signal', 'an AbortSignal', options.signal);
    }
    this.deadline = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
    const user = options.signal;
    const onAbort = () =>
      this.abort(new ConsulAbortedError(`${what} of "${key}" aborted`, { cause: user?.reason }));
    if (user?.aborted) onAbort();
    user?.addEventListener('abort', onAbort, { once: true });
    this.detach = () => user?.removeEventListener('abort', onAbort);
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(
        () =>
          this.abort(
            new ConsulLockError('timeout', `${what} of "${key}" timed out after ${timeoutMs} ms`, {
              key,
            }),
          ),
        timeoutMs,
      );
    }
  }

  /** Aborts when the attempt must end; `reason` is the error to throw. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Time left before the deadline (`Infinity` without timeout). */
  remaining(): number {
    return this.deadline - performance.now();
  }

  /** Ends the attempt with `error` (first call wins). */
  abort(error: Error): void {
    if (!this.controller.signal.aborted) this.controller.abort(error);
  }

  /** Throws the attempt's error if it has ended. */
  throwIfEnded(): void {
    if (this.controller.signal.aborted) throw this.controller.signal.reason;
  }

  /**
   * The error to surface for `err` thrown inside the attempt: once the attempt has ended, its own
   * reason (timeout, abort, loss) replaces the `ConsulAbortedError` of the request it cut short.
   */
  explain(err: unknown): unknown {
    if (this.controller.signal.aborted) return this.controller.signal.reason;
    return err;
  }

  /** Releases timers and listeners. */
  dispose(): void {
    clearTimeout(this.timer);
    this.detach();
    this.markSettled();
  }
}

/** `err` as a short code for logs (never a token: error messages carry none). */
export function errorCode(err: unknown): string {
  if (err instanceof ConsulError) return err.code;
  return err instanceof Error ? err.name : String(err);
}
