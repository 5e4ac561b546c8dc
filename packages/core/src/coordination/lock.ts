import { type Duration, toTimerMillis } from '../duration';
import { ConsulBadRequestError, ConsulOptionError, ConsulConflictError } from '../errors';
import { type KvEntry } from '../endpoints/kv';
import { type TxnKvOp } from '../endpoints/txn';
import { sleep } from '../internal/backoff';
import { validateKnownOptions, optionKeys } from '../models/validate';
import {
  DEFAULT_LOCK_SESSION_NAME,
  DEFAULT_LOCK_WAIT_MS,
  DEFAULT_SESSION_TTL,
  LOCK_FLAG_VALUE,
} from './constants';
import { type CoordinationContext, now } from './context';
import { ConsulLockError } from './errors';
import {
  type AcquisitionSession,
  Acquirer,
  BUSY,
  Hold,
  HeldBase,
  openOwnedSession,
} from './acquisition';
import { type MonitorVerdict } from './holding';
import { ManagedSession } from './managed-session';
import { type AcquireOptions, type Attempt } from './signals';
import { lockDelayPause, remainingLockDelay } from './timing';
import {
  checkKey,
  checkList,
  checkLockDelay,
  checkName,
  checkRetries,
  checkFlag,
  checkSessionTtl,
  checkValue,
  goLockKey,
} from './validate';

/** Options of `consul.lock(key, options)`. */
export interface LockOptions {
  /** TTL of the session created for each acquisition, 10 s–24 h. Default `'15s'`. */
  ttl?: Duration;
  /**
   * Lock-delay of that session, 0–60 s: after the session is invalidated (not after a clean
   * release) nobody can take the lock for this long. Default Consul's 15 s.
   */
  lockDelay?: Duration;
  /** Value written into the lock key while held (e.g. the holder's identity). */
  value?: string | Uint8Array;
  /**
   * Use this session instead of creating one per acquisition. A {@link ManagedSession}'s loss is the
   * lock's loss. A session you pass is yours: it is neither renewed nor destroyed by the lock.
   */
  session?: string | ManagedSession;
  /** Name of the created sessions (a unique suffix is appended). Default `'Consul API Lock'`. */
  sessionName?: string;
  /**
   * Consecutive retryable monitor failures (Consul briefly unavailable) tolerated before the lock is
   * declared lost. Default `Infinity`: only the TTL bounds the outage ridden out.
   */
  monitorRetries?: number;
  /**
   * Treat `key` as a `consul lock` prefix and lock `<key>/.lock`, the key the CLI and Go's
   * `consul lock` use, so that our lock and `consul lock <key> <cmd>` exclude each other.
   */
  goCompatible?: boolean;
  /**
   * Node checks the created session is bound to (Consul's default `['serfHealth']`). Binding a
   * check the holder keeps passing (e.g. a TTL heartbeat) hands the lock over soon after the holder
   * dies, instead of after the server-side session expiry (up to 2×TTL).
   */
  nodeChecks?: readonly string[];
  /** Service check IDs the created session is bound to: critical ⇒ the lock is released. */
  serviceChecks?: readonly string[];
  /**
   * Bind each created session to a liveness check (see `ManagedSessionOptions.livenessCheck`): if
   * the holding process dies, Consul invalidates its session within one TTL instead of up to 2×TTL,
   * so the lock is free after TTL + lock-delay. Default `false` for locks: a lock creates a session
   * per acquisition, and each would also register (and deregister) a `consulkit-session` service on
   * the agent — worth it for long holds, not for short, frequent critical sections. Needs
   * `service:write` on `consulkit-session` (else the session is created unbound, with a warning).
   * Leader elections default to `true`.
   */
  livenessCheck?: boolean;
  /** Longest single blocking read while waiting. Default 15 s (Go's `DefaultLockWaitTime`). */
  lockWait?: Duration;
  /**
   * The owner's lifetime (an app, a request): once it aborts, a pending `acquire()` rejects with
   * `ConsulAbortedError` and a held lock is released, so the lock never outlives its owner. Merged
   * with the `signal` each `acquire()` may pass.
   */
  signal?: AbortSignal;
}

/** The option names of {@link LockOptions} (unknown ones are rejected). */
export const LOCK_OPTION_KEYS = optionKeys<LockOptions>({
  ttl: true,
  lockDelay: true,
  value: true,
  session: true,
  sessionName: true,
  monitorRetries: true,
  goCompatible: true,
  nodeChecks: true,
  serviceChecks: true,
  livenessCheck: true,
  lockWait: true,
  signal: true,
});

/** A lock this process holds. */
export interface HeldLock {
  /** The lock key. */
  readonly key: string;
  /** The session holding it. */
  readonly session: string;
  /**
   * Fencing token: the `ModifyIndex` of the write that acquired the lock (read atomically with it
   * in one transaction). Strictly increasing across successive holders of the key. Pass it to
   * downstream systems and have them refuse tokens lower than the highest seen. (`LockIndex` is not
   * a safe token: any non-lock write resets it.)
   */
  readonly fencingToken: number;
  /** Consul's `LockIndex` at acquisition (informational). */
  readonly lockIndex: number;
  /**
   * Aborts when the lock is lost or released. `signal.reason` is a {@link ConsulLockError} whose
   * `reason` says why (`session-invalidated`, `key-taken`, `renewal-lapsed`, `released`...).
   */
  readonly signal: AbortSignal;
  /** A txn operation that fails unless this session still holds the key (guard writes with it). */
  check(): TxnKvOp;
  /** Releases the lock (and destroys the session it created). Idempotent; a no-op after loss. */
  release(): Promise<void>;
  /** Releases via `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

interface ResolvedLockOptions {
  key: string;
  ttlMs: number;
  lockDelayMs: number | undefined;
  value: string | Uint8Array | undefined;
  session: string | ManagedSession | undefined;
  sessionName: string;
  monitorRetries: number;
  lockWaitMs: number;
  nodeChecks: readonly string[] | undefined;
  serviceChecks: readonly string[] | undefined;
  livenessCheck: boolean;
  signal: AbortSignal | undefined;
}

/** Validates lock options; throws `ConsulOptionError` naming the option. */
export function resolveLockOptions(key: unknown, options: LockOptions = {}): ResolvedLockOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConsulOptionError('options', 'an object', options);
  }
  validateKnownOptions(options, LOCK_OPTION_KEYS);
  const session = options.session;
  if (
    session !== undefined &&
    !(session instanceof ManagedSession) &&
    (typeof session !== 'string' || session === '')
  ) {
    throw new ConsulOptionError('session', 'a session ID or a ManagedSession', session);
  }
  const lockWaitMs =
    options.lockWait === undefined
      ? DEFAULT_LOCK_WAIT_MS
      : toTimerMillis(options.lockWait, 'lockWait');
  if (lockWaitMs < 1)
    throw new ConsulOptionError('lockWait', 'a positive duration', options.lockWait);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new ConsulOptionError('signal', 'an AbortSignal', options.signal);
  }
  return {
    key: options.goCompatible ? goLockKey(key as string, 'key') : checkKey(key, 'key'),
    ttlMs: checkSessionTtl(options.ttl ?? DEFAULT_SESSION_TTL),
    lockDelayMs: options.lockDelay === undefined ? undefined : checkLockDelay(options.lockDelay),
    value: options.value === undefined ? undefined : checkValue(options.value),
    session,
    sessionName:
      options.sessionName === undefined
        ? DEFAULT_LOCK_SESSION_NAME
        : checkName(options.sessionName, 'sessionName'),
    monitorRetries:
      options.monitorRetries === undefined
        ? Infinity
        : checkRetries(options.monitorRetries, 'monitorRetries'),
    lockWaitMs,
    nodeChecks: checkList(options.nodeChecks, 'nodeChecks'),
    serviceChecks: checkList(options.serviceChecks, 'serviceChecks'),
    livenessCheck: checkFlag(options.livenessCheck, 'livenessCheck', false),
    signal: options.signal,
  };
}

/** The previous holder seen while waiting, to size the wait for its lock-delay. */
interface HolderSeen {
  id: string;
  lockDelayMs?: number;
  releaseSeenAt?: number;
}

/**
 * A distributed mutex on one KV key (`consul.lock(key, options)`), interoperable with the Go
 * client's `api.Lock` and `consul lock` (same flag `0x2ddccbc058a50c18`, same key layout).
 *
 * @example
 * const lock = consul.lock('jobs/cleanup', { ttl: '15s', lockDelay: '5s' });
 * const held = await lock.acquire({ timeout: '30s' });
 * try {
 *   await doWork({ signal: held.signal, fencingToken: held.fencingToken });
 * } finally {
 *   await held.release();
 * }
 */
export class Lock {
  /** The key locked (`<prefix>/.lock` with `goCompatible`). */
  readonly key: string;
  private readonly options: ResolvedLockOptions;
  private readonly acquirer: Acquirer<HeldLockImpl>;

  /** Prefer `consul.lock(key, options)`. Validates the options (no request is sent). */
  constructor(
    private readonly ctx: CoordinationContext,
    key: string,
    options: LockOptions = {},
  ) {
    this.options = resolveLockOptions(key, options);
    this.key = this.options.key;
    this.acquirer = new Acquirer(ctx, 'Lock', this.key, this.options.signal);
  }

  /** The hold, while this object holds the lock. */
  get held(): HeldLock | undefined {
    return this.acquirer.held;
  }

  /**
   * Waits until the lock is ours. Blocks on the key while someone else holds it; after a refusal
   * caused by a lock-delay, waits for it to end instead of hot-looping. Rejects with
   * `ConsulLockError` (`held` if this object already holds it, `conflict` if the key is used by
   * something else, `timeout`) or `ConsulAbortedError` when `signal` fires.
   */
  async acquire(options: AcquireOptions = {}): Promise<HeldLock> {
    return (await this.attempt(options, false)) as HeldLock;
  }

  /**
   * Takes the lock only if nobody holds it: resolves `undefined` at once when another session holds
   * the key (no wait for it, and no session is created for that answer), or when another process
   * wins the race for a free key. Otherwise acquires like `acquire()` (a lock-delay is waited out,
   * bounded by `timeout`). For work that any one instance may do, skipped where the lock is busy.
   */
  tryAcquire(options: AcquireOptions = {}): Promise<HeldLock | undefined> {
    return this.attempt(options, true);
  }

  private attempt(options: AcquireOptions, tryOnly: boolean): Promise<HeldLock | undefined> {
    return this.acquirer.acquire(options, {
      busy: tryOnly ? (attempt) => this.heldElsewhere(attempt) : undefined,
      open: (attempt) => this.openSession(attempt),
      take: (session, attempt) => this.acquireLoop(session.id, attempt, tryOnly),
      hold: (session, acquired, onEnd) =>
        new HeldLockImpl(this.ctx, this.options, session, acquired, onEnd),
    });
  }

  /**
   * Deletes the lock key when nobody holds it (like Go's `Lock.Destroy`): a no-op when absent;
   * `ConsulLockError` `held` (held by this object), `conflict` (not a lock key) or `in-use`.
   */
  async destroy(): Promise<void> {
    this.acquirer.refuseIfHeld();
    const entry = await this.ctx.kv.get(this.key);
    if (!entry) return;
    if (entry.flags !== LOCK_FLAG_VALUE) throw conflict(this.key, entry);
    const inUse = () =>
      new ConsulLockError('in-use', `Lock "${this.key}" is in use`, { key: this.key });
    if (entry.session) throw inUse();
    if (!(await this.ctx.kv.delete(this.key, { cas: entry.modifyIndex }))) throw inUse();
  }

  /** One immediate read: is the key held by a session (necessarily not ours: we have none yet)? */
  private async heldElsewhere(attempt: Attempt): Promise<boolean> {
    const entry = await this.ctx.kv.get(this.key, { signal: attempt.signal });
    if (entry && entry.flags !== LOCK_FLAG_VALUE) throw conflict(this.key, entry);
    return Boolean(entry?.session);
  }

  private async openSession(attempt: Attempt): Promise<AcquisitionSession> {
    const supplied = this.options.session;
    if (supplied instanceof ManagedSession) {
      return { id: supplied.id, ttlMs: supplied.ttlMs, signal: supplied.signal, owned: undefined };
    }
    if (typeof supplied === 'string') {
      const info = await this.ctx.session.info(supplied, { signal: attempt.signal });
      if (!info) {
        throw new ConsulLockError('session-expired', `Session ${supplied} does not exist`, {
          key: this.key,
        });
      }
      return {
        id: supplied,
        ttlMs: info.ttl ?? this.options.ttlMs,
        signal: undefined,
        owned: undefined,
      };
    }
    return openOwnedSession(
      this.ctx,
      {
        ttlMs: this.options.ttlMs,
        lockDelayMs: this.options.lockDelayMs,
        name: this.options.sessionName,
        behavior: undefined,
        nodeChecks: this.options.nodeChecks,
        serviceChecks: this.options.serviceChecks,
        livenessCheck: this.options.livenessCheck,
      },
      attempt.signal,
    );
  }

  /** Go's `Lock.Lock` loop, with the acquiring write done as a `lock`+`get` transaction. */
  private async acquireLoop(
    sessionId: string,
    attempt: Attempt,
    tryOnly: boolean,
  ): Promise<KvEntry> {
    const { kv, session: sessions } = this.ctx;
    const key = this.key;
    let index = 0;
    let delayAttempt = 0;
    let holder: HolderSeen | undefined;
    for (;;) {
      attempt.throwIfEnded();
      let metaIndex = 0;
      const remaining = attempt.remaining();
      const entry = await kv.get(key, {
        index: index > 0 ? index : undefined,
        wait: Math.max(1, Math.min(this.options.lockWaitMs, remaining)),
        signal: attempt.signal,
        onMeta: (m) => (metaIndex = m.index),
      });
      if (entry && entry.flags !== LOCK_FLAG_VALUE) throw conflict(key, entry);
      if (entry?.session && entry.session !== sessionId) {
        // Someone won the race for the free key: a try gives up rather than wait for them.
        if (tryOnly) throw BUSY;
        if (holder?.id !== entry.session) {
          const seen: HolderSeen = { id: entry.session };
          holder = seen;
          // Learn the holder's lock-delay while its session exists, to wait exactly that long later.
          sessions.info(entry.session, { signal: attempt.signal }).then(
            (info) => (seen.lockDelayMs = info?.lockDelay),
            () => undefined,
          );
        }
        index = metaIndex;
        continue;
      }
      if (holder && holder.releaseSeenAt === undefined) holder.releaseSeenAt = now();
      const guard: TxnKvOp = entry
        ? { verb: 'check-index', key, index: entry.modifyIndex }
        : { verb: 'check-not-exists', key };
      try {
        const { results } = await this.ctx.txn.run(
          [
            guard,
            {
              verb: 'lock',
              key,
              session: sessionId,
              flags: LOCK_FLAG_VALUE,
              value: this.options.value ?? undefined,
            },
            { verb: 'get', key },
          ],
          { signal: attempt.signal },
        );
        const acquired = results[results.length - 1];
        if (acquired?.session === sessionId) return acquired;
        index = 0;
      } catch (err) {
        if (err instanceof ConsulBadRequestError && /invalid session/i.test(err.body ?? '')) {
          throw new ConsulLockError('session-expired', `Session ${sessionId} no longer exists`, {
            key,
            cause: err,
          });
        }
        if (!(err instanceof ConsulConflictError)) throw err;
        index = 0;
        if (err.errors.some((e) => /lock delay/i.test(e.what))) {
          const left = remainingLockDelay(holder?.lockDelayMs, holder?.releaseSeenAt, now());
          const pause = Math.min(lockDelayPause(delayAttempt++, left), attempt.remaining());
          try {
            await sleep(Math.max(0, pause), attempt.signal);
          } catch {
            attempt.throwIfEnded();
          }
        }
        // Otherwise someone else won the race or the key changed: re-read at once.
      }
    }
  }
}

/** A held lock: its {@link Hold} (monitor, signal, release), the fencing token and the txn guard. */
class HeldLockImpl extends HeldBase implements HeldLock {
  readonly key: string;
  readonly session: string;
  readonly fencingToken: number;
  readonly lockIndex: number;
  protected readonly hold: Hold;

  constructor(
    private readonly ctx: CoordinationContext,
    private readonly options: ResolvedLockOptions,
    private readonly lockSession: AcquisitionSession,
    acquired: KvEntry,
    onEnd: () => void,
  ) {
    super();
    this.key = options.key;
    this.session = lockSession.id;
    this.fencingToken = acquired.modifyIndex;
    this.lockIndex = acquired.lockIndex;
    // Last: the monitor's first read starts at once and uses the fields above.
    this.hold = new Hold({
      ctx,
      key: this.key,
      session: lockSession,
      monitorRetries: options.monitorRetries,
      read: (index, waitMs, signal) => this.read(index, waitMs, signal),
      ended: (reason) =>
        new ConsulLockError(reason, `Lock "${this.key}" was ${reason}`, { key: this.key }),
      giveBack: () => this.unlock(),
      onEnd,
      // Bound to its owner's lifetime: released when that ends (even if it just did).
      owner: options.signal,
      noun: 'Lock',
    });
  }

  check(): TxnKvOp {
    return { verb: 'check-session', key: this.key, session: this.session };
  }

  /** Releases explicitly first (no lock-delay for the next holder), then destroys our session. */
  private async unlock(): Promise<void> {
    const { owned } = this.lockSession;
    try {
      await this.ctx.kv.put(this.key, this.options.value ?? '', {
        release: this.session,
        flags: LOCK_FLAG_VALUE,
      });
    } catch (err) {
      if (!owned) throw err;
      this.ctx.options.logger.warn('Lock release failed; destroying its session instead', {
        key: this.key,
      });
    } finally {
      await owned?.stop();
    }
  }

  private async read(index: number, waitMs: number, signal: AbortSignal): Promise<MonitorVerdict> {
    let metaIndex = 0;
    const entry = await this.ctx.kv.get(this.key, {
      index: index > 0 ? index : undefined,
      wait: waitMs,
      consistent: true,
      signal,
      onMeta: (m) => (metaIndex = m.index),
    });
    const key = this.key;
    if (!entry) {
      return {
        index: metaIndex,
        loss: new ConsulLockError('key-deleted', `Lock key "${key}" was deleted`, { key }),
      };
    }
    if (entry.session === this.session) return { index: metaIndex };
    const loss = entry.session
      ? new ConsulLockError('key-taken', `Lock "${key}" is now held by session ${entry.session}`, {
          key,
        })
      : new ConsulLockError(
          'session-invalidated',
          `Lock "${key}" no longer names session ${this.session} (destroyed, expired or released)`,
          { key },
        );
    return { index: metaIndex, loss };
  }
}

function conflict(key: string, entry: KvEntry): ConsulLockError {
  return new ConsulLockError(
    'conflict',
    `Key "${key}" exists with flags ${entry.flags}, not the lock flag: it is not a lock (a semaphore or plain data?)`,
    { key },
  );
}

/**
 * Runs `fn` under the lock on `key` and releases it afterwards, also when `fn` throws
 * (`consul.withLock(key, fn, options)`). `fn` receives the lock's `signal` (aborts on loss) and the
 * {@link HeldLock} (fencing token, txn guard).
 */
export async function withLock<T>(
  ctx: CoordinationContext,
  key: string,
  fn: (signal: AbortSignal, held: HeldLock) => Promise<T> | T,
  options: LockOptions & AcquireOptions = {},
): Promise<T> {
  if (typeof fn !== 'function') throw new ConsulOptionError('fn', 'a function', fn);
  const { signal, timeout, ...lockOptions } = options;
  const held = await new Lock(ctx, key, lockOptions).acquire({ signal, timeout });
  try {
    return await fn(held.signal, held);
  } finally {
    await held.release();
  }
}
