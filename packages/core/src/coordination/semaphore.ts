import { type Duration, toTimerMillis } from '../duration';
import { ConsulOptionError } from '../errors';
import { type KvEntry } from '../endpoints/kv';
import { validateKnownOptions, optionKeys } from '../models/validate';
import {
  DEFAULT_LOCK_WAIT_MS,
  DEFAULT_SEMAPHORE_SESSION_NAME,
  DEFAULT_SESSION_TTL,
  SEMAPHORE_FLAG_VALUE,
  SEMAPHORE_KEY_LEAF,
} from './constants';
import { type CoordinationContext } from './context';
import { ConsulLockError } from './errors';
import { type AcquisitionSession, Acquirer, Hold, HeldBase, openOwnedSession } from './acquisition';
import { type MonitorVerdict } from './holding';
import {
  decodeSemaphoreRecord,
  encodeSemaphoreRecord,
  pruneDeadHolders,
  type SemaphoreRecord,
} from './semaphore-record';
import { type AcquireOptions, type Attempt } from './signals';
import {
  checkFlag,
  checkName,
  checkPositiveInt,
  checkPrefix,
  checkRetries,
  checkSessionTtl,
  checkValue,
  joinKey,
} from './validate';

/** Options of `consul.semaphore(prefix, limit, options)`. */
export interface SemaphoreOptions {
  /** TTL of the session created per acquisition, 10 s–24 h. Default `'15s'`. */
  ttl?: Duration;
  /** Value written into this contender's key `<prefix>/<session>`. */
  value?: string | Uint8Array;
  /** Name of the created sessions (a unique suffix is appended). Default `'Consul API Semaphore'`. */
  sessionName?: string;
  /** Consecutive retryable monitor failures tolerated; default `Infinity` (bounded by the TTL). */
  monitorRetries?: number;
  /** Longest single blocking read while waiting for a slot. Default 15 s. */
  semaphoreWait?: Duration;
  /**
   * Bind each created session to a liveness check (see `ManagedSessionOptions.livenessCheck`): if
   * a holder dies, Consul invalidates its session within one TTL instead of up to 2×TTL, and its
   * slot is freed then. Default `false`, as for locks: every acquisition creates a session, and
   * would also register (and deregister) a `consulkit-session` service on the agent. Needs
   * `service:write` on `consulkit-session` (else the session is created unbound, with a warning).
   */
  livenessCheck?: boolean;
}

/** The option names of {@link SemaphoreOptions} (unknown ones are rejected). */
const SEMAPHORE_OPTION_KEYS = optionKeys<SemaphoreOptions>({
  ttl: true,
  value: true,
  sessionName: true,
  monitorRetries: true,
  semaphoreWait: true,
  livenessCheck: true,
});

/** A semaphore slot this process holds. */
export interface HeldSemaphore {
  /** The semaphore prefix. */
  readonly prefix: string;
  /** The session holding the slot (also the contender key's leaf). */
  readonly session: string;
  /** Aborts when the slot is lost or released (`reason`: a {@link ConsulLockError}). */
  readonly signal: AbortSignal;
  /** Gives the slot back and destroys the session. Idempotent; a no-op after loss. */
  release(): Promise<void>;
  /** Releases via `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

interface ResolvedSemaphoreOptions {
  prefix: string;
  lockKey: string;
  limit: number;
  ttlMs: number;
  value: string | Uint8Array;
  sessionName: string;
  monitorRetries: number;
  waitMs: number;
  livenessCheck: boolean;
}

/** Validates semaphore options; throws `ConsulOptionError` naming the option. */
export function resolveSemaphoreOptions(
  prefix: unknown,
  limit: unknown,
  options: SemaphoreOptions = {},
): ResolvedSemaphoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConsulOptionError('options', 'an object', options);
  }
  validateKnownOptions(options, SEMAPHORE_OPTION_KEYS);
  const checked = checkPrefix(prefix, 'prefix');
  const waitMs =
    options.semaphoreWait === undefined
      ? DEFAULT_LOCK_WAIT_MS
      : toTimerMillis(options.semaphoreWait, 'semaphoreWait');
  if (waitMs < 1) {
    throw new ConsulOptionError('semaphoreWait', 'a positive duration', options.semaphoreWait);
  }
  return {
    prefix: checked,
    lockKey: joinKey(checked, SEMAPHORE_KEY_LEAF),
    limit: checkPositiveInt(limit, 'limit'),
    ttlMs: checkSessionTtl(options.ttl ?? DEFAULT_SESSION_TTL),
    value: options.value === undefined ? '' : checkValue(options.value),
    sessionName:
      options.sessionName === undefined
        ? DEFAULT_SEMAPHORE_SESSION_NAME
        : checkName(options.sessionName, 'sessionName'),
    monitorRetries:
      options.monitorRetries === undefined
        ? Infinity
        : checkRetries(options.monitorRetries, 'monitorRetries'),
    waitMs,
    livenessCheck: checkFlag(options.livenessCheck, 'livenessCheck', false),
  };
}

/**
 * A counting semaphore over a KV prefix (`consul.semaphore(prefix, limit)`), in the layout of Go's
 * `api.Semaphore` and `consul lock -n=<limit>`: each contender holds `<prefix>/<session>` with a
 * `delete`-behaviour session, and `<prefix>/.lock` records `{"Limit":N,"Holders":{...}}`, updated by
 * check-and-set. All contenders must agree on `limit`.
 *
 * @example
 * const slot = await consul.semaphore('jobs/encoders', 2).acquire({ timeout: '1m' });
 * try { await encode({ signal: slot.signal }); } finally { await slot.release(); }
 */
export class Semaphore {
  /** The prefix (without trailing `/`). */
  readonly prefix: string;
  /** How many holders may hold a slot at once. */
  readonly limit: number;
  private readonly options: ResolvedSemaphoreOptions;
  private readonly acquirer: Acquirer<HeldSemaphoreImpl>;

  /** Prefer `consul.semaphore(prefix, limit, options)`. Validates (no request is sent). */
  constructor(
    private readonly ctx: CoordinationContext,
    prefix: string,
    limit: number,
    options: SemaphoreOptions = {},
  ) {
    this.options = resolveSemaphoreOptions(prefix, limit, options);
    this.prefix = this.options.prefix;
    this.limit = this.options.limit;
    this.acquirer = new Acquirer(ctx, 'Semaphore', this.prefix, undefined);
  }

  /** The slot, while this object holds one. */
  get held(): HeldSemaphore | undefined {
    return this.acquirer.held;
  }

  /**
   * Waits for a slot. Rejects with `ConsulLockError` (`held`, `conflict` when the prefix is used
   * by a lock or with another limit, `timeout`) or `ConsulAbortedError` when `signal` fires.
   */
  async acquire(options: AcquireOptions = {}): Promise<HeldSemaphore> {
    return (await this.acquirer.acquire(options, {
      // The session's `delete` behaviour removes our contender key with it.
      open: (attempt) =>
        openOwnedSession(
          this.ctx,
          {
            ttlMs: this.options.ttlMs,
            lockDelayMs: undefined,
            name: this.options.sessionName,
            behavior: 'delete',
            nodeChecks: undefined,
            serviceChecks: undefined,
            livenessCheck: this.options.livenessCheck,
          },
          attempt.signal,
        ),
      take: (session, attempt) => this.acquireLoop(session.id, attempt),
      hold: (session, _taken, onEnd) =>
        new HeldSemaphoreImpl(this.ctx, this.options, session, onEnd),
    })) as HeldSemaphore;
  }

  /**
   * Deletes `<prefix>/.lock` when no live holder remains (Go's `Semaphore.Destroy`): a no-op when
   * absent; `ConsulLockError` `held`, `conflict` or `in-use`.
   */
  async destroy(): Promise<void> {
    this.acquirer.refuseIfHeld();
    const entries = await this.ctx.kv.list(`${this.prefix}/`);
    const lockEntry = entries.find((e) => e.key === this.options.lockKey);
    if (!lockEntry) return;
    if (lockEntry.flags !== SEMAPHORE_FLAG_VALUE) throw conflict(this.options.lockKey);
    const record = pruneDeadHolders(
      decodeSemaphoreRecord(lockEntry.rawValue, this.limit, this.options.lockKey),
      entries,
    );
    const inUse = () =>
      new ConsulLockError('in-use', `Semaphore "${this.prefix}" is in use`, { key: this.prefix });
    if (record.holders.size > 0) throw inUse();
    if (!(await this.ctx.kv.delete(this.options.lockKey, { cas: lockEntry.modifyIndex }))) {
      throw inUse();
    }
  }

  /** Go's `Semaphore.Acquire` loop. */
  private async acquireLoop(sessionId: string, attempt: Attempt): Promise<void> {
    const { kv } = this.ctx;
    const { prefix, lockKey, limit, value } = this.options;
    const contender = joinKey(prefix, sessionId);
    if (
      !(await kv.put(contender, value, {
        acquire: sessionId,
        flags: SEMAPHORE_FLAG_VALUE,
        signal: attempt.signal,
      }))
    ) {
      throw new ConsulLockError('conflict', `Could not create the contender key "${contender}"`, {
        key: prefix,
      });
    }
    let index = 0;
    for (;;) {
      attempt.throwIfEnded();
      let metaIndex = 0;
      const entries = await kv.list(`${prefix}/`, {
        index: index > 0 ? index : undefined,
        wait: Math.max(1, Math.min(this.options.waitMs, attempt.remaining())),
        signal: attempt.signal,
        onMeta: (m) => (metaIndex = m.index),
      });
      const { lockEntry, record } = readRecord(entries, lockKey, limit);
      if (record.holders.has(sessionId)) return;
      if (record.holders.size >= record.limit) {
        index = metaIndex;
        continue;
      }
      record.holders.add(sessionId);
      const swapped = await kv.put(lockKey, encodeSemaphoreRecord(record), {
        cas: lockEntry?.modifyIndex ?? 0,
        flags: SEMAPHORE_FLAG_VALUE,
        signal: attempt.signal,
      });
      if (swapped) return;
      index = 0; // raced with another contender: re-read at once
    }
  }
}

/** Finds, checks and prunes the coordination record among the prefix's entries. */
function readRecord(
  entries: readonly KvEntry[],
  lockKey: string,
  limit: number,
): { lockEntry: KvEntry | undefined; record: SemaphoreRecord } {
  const lockEntry = entries.find((e) => e.key === lockKey);
  if (lockEntry && lockEntry.flags !== SEMAPHORE_FLAG_VALUE) throw conflict(lockKey);
  const decoded = decodeSemaphoreRecord(lockEntry?.rawValue, limit, lockKey);
  if (decoded.limit !== limit) {
    throw new ConsulLockError(
      'conflict',
      `Semaphore limit conflict at "${lockKey}": the record says ${decoded.limit}, we use ${limit}`,
      { key: lockKey },
    );
  }
  return { lockEntry, record: pruneDeadHolders(decoded, entries) };
}

function conflict(lockKey: string): ConsulLockError {
  return new ConsulLockError(
    'conflict',
    `Key "${lockKey}" does not carry the semaphore flag: it is used by a lock or plain data`,
    { key: lockKey },
  );
}

/** A held slot: its {@link Hold}, watched by a consistent blocking list of the prefix. */
class HeldSemaphoreImpl extends HeldBase implements HeldSemaphore {
  readonly prefix: string;
  readonly session: string;
  protected readonly hold: Hold;

  constructor(
    private readonly ctx: CoordinationContext,
    private readonly options: ResolvedSemaphoreOptions,
    private readonly slotSession: AcquisitionSession,
    onEnd: () => void,
  ) {
    super();
    this.prefix = options.prefix;
    this.session = slotSession.id;
    // Last: the monitor's first read starts at once and uses the fields above.
    this.hold = new Hold({
      ctx,
      key: this.prefix,
      session: slotSession,
      monitorRetries: options.monitorRetries,
      read: (index, waitMs, signal) => this.read(index, waitMs, signal),
      ended: (reason) =>
        new ConsulLockError(reason, `Semaphore slot at "${this.prefix}" was ${reason}`, {
          key: this.prefix,
        }),
      giveBack: () => this.giveBack(),
      onEnd,
      owner: undefined,
      noun: 'Semaphore',
    });
  }

  /** Removes us from the record (CAS, bounded retries), then destroys the session (and contender). */
  private async giveBack(): Promise<void> {
    const { kv } = this.ctx;
    const { lockKey, limit } = this.options;
    try {
      for (let attempt = 0; attempt < 20; attempt++) {
        const entry = await kv.get(lockKey);
        if (!entry) break;
        const record = decodeSemaphoreRecord(entry.rawValue, limit, lockKey);
        if (!record.holders.delete(this.session)) break;
        const swapped = await kv.put(lockKey, encodeSemaphoreRecord(record), {
          cas: entry.modifyIndex,
          flags: SEMAPHORE_FLAG_VALUE,
        });
        if (swapped) break;
      }
      await kv.delete(joinKey(this.prefix, this.session));
    } catch (err) {
      // The slot frees itself anyway: contenders prune holders whose session is gone.
      this.ctx.options.logger.warn('Semaphore release failed; destroying its session instead', {
        prefix: this.prefix,
        error: err instanceof Error ? err.message : String(err),
      });
    } finally {
      await this.slotSession.owned?.stop();
    }
  }

  private async read(index: number, waitMs: number, signal: AbortSignal): Promise<MonitorVerdict> {
    let metaIndex = 0;
    const entries = await this.ctx.kv.list(`${this.prefix}/`, {
      index: index > 0 ? index : undefined,
      wait: waitMs,
      consistent: true,
      signal,
      onMeta: (m) => (metaIndex = m.index),
    });
    const { lockKey, limit } = this.options;
    const lockEntry = entries.find((e) => e.key === lockKey);
    if (!lockEntry) {
      return {
        index: metaIndex,
        loss: new ConsulLockError('key-deleted', `Semaphore record "${lockKey}" was deleted`, {
          key: this.prefix,
        }),
      };
    }
    const record = pruneDeadHolders(
      decodeSemaphoreRecord(lockEntry.rawValue, limit, lockKey),
      entries,
    );
    if (record.holders.has(this.session)) return { index: metaIndex };
    return {
      index: metaIndex,
      loss: new ConsulLockError(
        'session-invalidated',
        `Session ${this.session} is no longer a live holder of semaphore "${this.prefix}"`,
        { key: this.prefix },
      ),
    };
  }
}
