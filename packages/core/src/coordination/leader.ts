import { EventEmitter } from 'node:events';
import { ConsulOptionError } from '../errors';
import { backoffDelay, sleep } from '../internal/backoff';
import { validateKnownOptions } from '../models/validate';
import { type CoordinationContext } from './context';
import { type ConsulLockError } from './errors';
import { type HeldLock, Lock, LOCK_OPTION_KEYS, type LockOptions } from './lock';
import { errorCode } from './signals';

/**
 * Options of `consul.leader(key, options)`: those of a lock, except a shared session and an owner
 * signal (an election ends with `stop()`), and with the liveness check on by default.
 */
export interface LeaderOptions extends Omit<LockOptions, 'session' | 'signal' | 'livenessCheck'> {
  /**
   * Bind each campaign's session to a liveness check (a TTL check on a `consulkit-session` service
   * of its own, passed on every renewal; see `ManagedSessionOptions.livenessCheck`). When the
   * leader process dies, its check turns critical within one TTL and Consul invalidates its
   * session at once, so another candidate leads within TTL + lock-delay; without it Consul may keep
   * the dead leader's session up to 2×TTL. Needs `service:write` on `consulkit-session` (else the
   * session is created unbound, with one warning). Default `true`.
   */
  livenessCheck?: boolean;
}

/** The option names of {@link LeaderOptions}: a lock's but `session` and `signal`. */
const LEADER_OPTION_KEYS = LOCK_OPTION_KEYS.filter((key) => key !== 'session' && key !== 'signal');

/** Events of a {@link LeaderElection}. */
export interface LeaderEvents {
  /** This process became leader; `held` carries the fencing token and a signal aborting on loss. */
  elected: [held: HeldLock];
  /**
   * Leadership ended: lost (`error.lost`, e.g. `session-invalidated`, `renewal-lapsed`) or given up
   * (`released` by `resign()`/`stop()`, `closed`). After a loss the election campaigns again.
   */
  revoked: [error: ConsulLockError];
  /** Campaigning failed (Consul unreachable...); it is retried with backoff. */
  error: [error: Error];
}

/** The current leader as recorded in the lock key. */
export interface LeaderInfo {
  /** Session holding the key. */
  session: string;
  /** Value the leader wrote (`options.value`), as UTF-8 text; `null` when empty. */
  value: string | null;
}

/** Pause before campaigning again after a resignation, so another candidate can win. */
const RESIGN_PAUSE_MS = 1_000;

/**
 * Leader election on one key (`consul.leader(key, options)`): campaigns with a lock, emits
 * `elected`/`revoked`, and campaigns again with a fresh session after losing, until `stop()`. It is
 * the Go `api.Lock` algorithm, so Go programs electing on the same key take part in the same
 * election. Use `leadership.fencingToken` for writes only the leader may make.
 *
 * @example
 * const election = consul.leader('service/jobs/leader', { ttl: '15s', value: hostname() });
 * election.on('elected', (held) => startJobs(held.signal));
 * election.on('revoked', () => stopJobs());
 * election.start();
 * // ... on shutdown
 * await election.stop();
 */
export class LeaderElection extends EventEmitter<LeaderEvents> {
  /** The election key. */
  readonly key: string;
  private readonly lock: Lock;
  private stopController: AbortController | undefined;
  private current: HeldLock | undefined;
  private loop: Promise<void> | undefined;
  private resigned = false;
  private unregister: (() => void) | undefined;

  /** Prefer `consul.leader(key, options)`. Validates the options (no request is sent). */
  constructor(
    private readonly ctx: CoordinationContext,
    key: string,
    options: LeaderOptions = {},
  ) {
    super();
    if (typeof options === 'object' && options !== null && 'session' in options) {
      throw new ConsulOptionError(
        'session',
        'no session (each campaign creates its own)',
        'a session',
      );
    }
    // An owner signal would end leadership behind the election's back: `stop()` ends it.
    if (typeof options === 'object' && options !== null) {
      validateKnownOptions(options, LEADER_OPTION_KEYS);
    }
    // Elections default to the liveness check (locks do not): a dead leader hands over in one TTL.
    const lockOptions =
      typeof options === 'object' && options !== null && options.livenessCheck === undefined
        ? { ...options, livenessCheck: true }
        : options;
    this.lock = new Lock(ctx, key, lockOptions);
    this.key = this.lock.key;
  }

  /** Whether this process believes it is the leader (its lock is held and not lost). */
  get isLeader(): boolean {
    return this.current !== undefined && !this.current.signal.aborted;
  }

  /** The current leadership (fencing token, signal), while leader. */
  get leadership(): HeldLock | undefined {
    return this.isLeader ? this.current : undefined;
  }

  /** Whether the election is campaigning (between `start()` and `stop()`). */
  get running(): boolean {
    return this.stopController !== undefined && !this.stopController.signal.aborted;
  }

  /** Starts campaigning (idempotent). Returns `this`. */
  start(): this {
    if (this.running) return this;
    const stop = new AbortController();
    this.stopController = stop;
    this.unregister = this.ctx.onClose(() => this.stop());
    const previous = this.loop ?? Promise.resolve();
    this.loop = previous.then(() => this.campaign(stop.signal));
    return this;
  }

  /** Stops campaigning and gives up leadership (releasing the lock). Idempotent. */
  async stop(): Promise<void> {
    this.stopController?.abort();
    // The close hook stays registered until leadership is given up: a client closing meanwhile
    // awaits this stop instead of closing its pools under the release. The lock's own hooks do not
    // cover it all: when the campaign has just won, the acquire attempt's hook is about to go and
    // the held lock's is not registered yet (close-hooks.test.ts, "a campaign that has just won").
    const unregister = this.unregister;
    this.unregister = undefined;
    try {
      await this.loop;
    } finally {
      unregister?.();
    }
  }

  /**
   * Gives up leadership now (release, then destroy the session) and campaigns again after a short
   * pause, giving another candidate the chance to win. A no-op when not leader.
   */
  async resign(): Promise<void> {
    const held = this.leadership;
    if (!held) return;
    this.resigned = true;
    await held.release();
  }

  /** Reads who leads now, from the key (any process's view, not only ours). */
  async leader(): Promise<LeaderInfo | undefined> {
    const entry = await this.ctx.kv.get(this.key, { consistent: true });
    if (!entry?.session) return undefined;
    return { session: entry.session, value: entry.value };
  }

  /** Stops via `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async campaign(stop: AbortSignal): Promise<void> {
    let failures = 0;
    while (!stop.aborted) {
      let held: HeldLock;
      try {
        held = await this.lock.acquire({ signal: stop });
      } catch (err) {
        if (stop.aborted) break;
        this.report(err as Error);
        if (!(await pause(backoffDelay(failures++, 500, 10_000), stop))) break;
        continue;
      }
      failures = 0;
      this.current = held;
      this.notify('elected', held);
      await untilEither(held.signal, stop);
      this.current = undefined;
      if (!held.signal.aborted) await held.release().catch((err: Error) => this.report(err));
      this.notify('revoked', held.signal.reason as ConsulLockError);
      if (this.resigned) {
        this.resigned = false;
        if (!(await pause(RESIGN_PAUSE_MS, stop))) break;
      } else if (!stop.aborted) {
        // Lost: a short jittered pause, then a fresh campaign (the acquire loop waits out any
        // lock-delay itself).
        if (!(await pause(250 + Math.random() * 500, stop))) break;
      }
    }
  }

  private notify<E extends 'elected' | 'revoked'>(event: E, ...args: LeaderEvents[E]): void {
    try {
      (this.emit as (e: E, ...a: LeaderEvents[E]) => boolean)(event, ...args);
    } catch (err) {
      this.ctx.options.logger.error(`A leader "${event}" listener threw`, {
        key: this.key,
        error: errorCode(err),
      });
    }
  }

  private report(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else {
      this.ctx.options.logger.warn('Leader campaign failed; retrying', {
        key: this.key,
        error: errorCode(err),
      });
    }
  }
}

/** Resolves when either signal aborts. */
function untilEither(a: AbortSignal, b: AbortSignal): Promise<void> {
  if (a.aborted || b.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      a.removeEventListener('abort', done);
      b.removeEventListener('abort', done);
      resolve();
    };
    a.addEventListener('abort', done, { once: true });
    b.addEventListener('abort', done, { once: true });
  });
}

/** Sleeps `ms`; false when `stop` fired first. */
async function pause(ms: number, stop: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, stop);
    return true;
  } catch {
    return false;
  }
}
