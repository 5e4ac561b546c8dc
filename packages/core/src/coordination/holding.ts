import { ConsulError } from '../errors';
import { sleep } from '../internal/backoff';
import { type ConsulLogger } from '../logger';
import { now } from './context';
import { ConsulLockError } from './errors';
import { verifySessionOf } from './managed-session';
import { errorCode } from './signals';
import { monitorWait } from './timing';

/** What one monitor read found. */
export interface MonitorVerdict {
  /** Index to block on next. */
  index: number;
  /** Set when the read shows the hold is gone. */
  loss?: ConsulLockError;
}

/** How a {@link Holding} watches its key. */
export interface HoldingSpec {
  /** Lock key or semaphore prefix (for messages). */
  key: string;
  /** Window without a successful read after which the hold is declared lost (the session TTL). */
  ttlMs: number;
  /** Consecutive retryable read failures tolerated (each retry waits ~1 s); bounded by `ttlMs`. */
  monitorRetries: number;
  /** A session whose loss is also the hold's loss. */
  sessionSignal: AbortSignal | undefined;
  /** One consistent blocking read (`index` 0: immediate). */
  read(index: number, waitMs: number, signal: AbortSignal): Promise<MonitorVerdict>;
  logger: ConsulLogger;
}

/**
 * The "held" state of a lock or semaphore slot: an `AbortSignal` that fires on loss or release, and
 * the monitor that decides loss. The monitor blocks on the key with consistent reads; it declares the
 * hold lost when a read shows it gone, when a read fails with a non-retryable error or beyond the
 * retry budget, when the session is lost, or when no read has succeeded for a whole TTL — so a brief
 * Consul outage (shorter than the TTL) is ridden out while a partitioned holder still gives up before
 * the server could hand the lock to someone else.
 */
export class Holding {
  private readonly controller = new AbortController();
  private deadlineTimer: NodeJS.Timeout | undefined;
  private lastOk = now();
  private readonly onSessionLost: () => void;
  /** Resolves when the monitor loop has exited. */
  readonly done: Promise<void>;

  constructor(
    private readonly spec: HoldingSpec,
    private readonly onLoss: (error: ConsulLockError) => void,
  ) {
    this.onSessionLost = () => {
      const reason: unknown = spec.sessionSignal?.reason;
      this.lose(
        reason instanceof ConsulLockError
          ? reason
          : new ConsulLockError('session-invalidated', `The session of "${spec.key}" ended`, {
              key: spec.key,
              cause: reason,
            }),
      );
    };
    if (spec.sessionSignal?.aborted) queueMicrotask(this.onSessionLost);
    else spec.sessionSignal?.addEventListener('abort', this.onSessionLost, { once: true });
    this.armDeadline();
    this.done = this.run();
  }

  /**
   * Aborts on loss (reason: the loss) or on release (reason `released`/`closed`). Reading it first
   * re-checks the deadlines on our clock ({@link Holding.verify}).
   */
  get signal(): AbortSignal {
    this.verify();
    return this.controller.signal;
  }

  /**
   * Declares the hold lost at once when one of its deadlines has passed on our clock while the
   * timers saying so have not fired yet — the process was paused (long GC, SIGSTOP, a suspended VM)
   * and its own callbacks may run before ours: the session's TTL, or a whole TTL without a
   * successful monitor read. So a holder that resumes and reads `signal` before a fenced write sees
   * the loss (its abort listeners run) instead of writing with a stale fencing token. Returns
   * whether the hold is still on.
   */
  verify(): boolean {
    if (this.ended) return false;
    verifySessionOf(this.spec.sessionSignal);
    if (!this.ended && now() >= this.lastOk + this.spec.ttlMs) this.lose(this.unreachable());
    return !this.ended;
  }

  /** Whether the hold has ended (lost or released). */
  get ended(): boolean {
    return this.controller.signal.aborted;
  }

  /** Ends the hold without loss (release); false when it had already ended. */
  end(error: ConsulLockError): boolean {
    if (this.ended) return false;
    this.stopWatching();
    this.controller.abort(error);
    return true;
  }

  private lose(error: ConsulLockError): void {
    if (this.ended) return;
    this.stopWatching();
    this.spec.logger.warn('Consul lock lost', { key: this.spec.key, reason: error.reason });
    this.controller.abort(error);
    this.onLoss(error);
  }

  private stopWatching(): void {
    clearTimeout(this.deadlineTimer);
    this.spec.sessionSignal?.removeEventListener('abort', this.onSessionLost);
  }

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(
      () => this.lose(this.unreachable()),
      Math.max(0, this.lastOk + this.spec.ttlMs - now()),
    );
    this.deadlineTimer.unref();
  }

  private unreachable(): ConsulLockError {
    const { key, ttlMs } = this.spec;
    return new ConsulLockError(
      'monitor-unreachable',
      `No consistent read of "${key}" succeeded within ${ttlMs} ms: the hold can no longer be trusted`,
      { key },
    );
  }

  private async run(): Promise<void> {
    const { spec } = this;
    let index = 0;
    let failures = 0;
    while (!this.ended) {
      let verdict: MonitorVerdict;
      try {
        verdict = await spec.read(index, monitorWait(spec.ttlMs), this.signal);
      } catch (err) {
        if (this.ended) return;
        const retryable = err instanceof ConsulError && err.retryable;
        if (!retryable || failures >= spec.monitorRetries) {
          this.lose(
            new ConsulLockError(
              'monitor-failed',
              `Monitoring "${spec.key}" failed: ${String(err)}`,
              {
                key: spec.key,
                cause: err,
              },
            ),
          );
          return;
        }
        failures++;
        spec.logger.debug('Lock monitor read failed; retrying', {
          key: spec.key,
          error: errorCode(err),
          failures,
        });
        index = 0;
        try {
          await sleep(750 + Math.random() * 500, this.signal);
        } catch {
          return;
        }
        continue;
      }
      if (this.ended) return;
      failures = 0;
      this.lastOk = now();
      this.armDeadline();
      if (verdict.loss) {
        this.lose(verdict.loss);
        return;
      }
      // An index that went backwards (snapshot restore, agent restart) resets the wait (BQ-9).
      index = verdict.index < index ? 0 : verdict.index;
    }
  }
}
