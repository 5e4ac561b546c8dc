import { type CoordinationContext } from './context';
import { ConsulLockError } from './errors';
import { Holding, type MonitorVerdict } from './holding';
import { ManagedSession, type ResolvedSessionOptions } from './managed-session';
import { type AcquireOptions, Attempt } from './signals';

/**
 * The scaffold locks and semaphores share: one acquisition at a time per object, an attempt that
 * ends on the caller's signal, timeout, the owner's signal, client close or session loss, the
 * session cleaned up when the attempt fails, and — once held — the monitor, the owner binding and a
 * release that client close awaits. The recipe supplies only its Consul steps (the key layout).
 */

/** What one acquisition holds the key with: a session created for it (`owned`) or the caller's. */
export interface AcquisitionSession {
  id: string;
  ttlMs: number;
  /** Aborts when the session is lost (managed sessions only). */
  signal: AbortSignal | undefined;
  /** The session this acquisition created: destroyed on failure, release and loss. */
  owned: ManagedSession | undefined;
}

/** Thrown by a step of `tryAcquire()` that finds the key taken: the attempt resolves `undefined`. */
export const BUSY = Symbol('busy');

/** The recipe-specific steps of one acquisition. */
export interface AcquisitionSteps<T, H> {
  /**
   * A look before any session is created (`tryAcquire()`): `true` means taken elsewhere, and the
   * attempt resolves `undefined` at once.
   */
  busy?(attempt: Attempt): Promise<boolean>;
  /** Opens (or looks up) the session the key will be held with. */
  open(attempt: Attempt): Promise<AcquisitionSession>;
  /** The wait-and-write loop; resolves once the key is ours (may throw {@link BUSY}). */
  take(session: AcquisitionSession, attempt: Attempt): Promise<T>;
  /** Builds the hold; `onEnd` is to be called once it ends (released, closed or lost). */
  hold(session: AcquisitionSession, taken: T, onEnd: () => void): H;
}

/**
 * One lock's or semaphore's acquisition state: the current hold and whether an attempt runs, so a
 * second `acquire()` is refused instead of racing the first.
 */
export class Acquirer<H extends { readonly signal: AbortSignal }> {
  private current: H | undefined;
  private acquiring = false;

  /**
   * @param noun `Lock` or `Semaphore`, for messages.
   * @param key The lock key or semaphore prefix.
   * @param owner The owner's lifetime (`LockOptions.signal`), merged with each attempt's signal.
   */
  constructor(
    private readonly ctx: CoordinationContext,
    private readonly noun: string,
    private readonly key: string,
    private readonly owner: AbortSignal | undefined,
  ) {}

  /** The hold, while it is on. */
  get held(): H | undefined {
    return this.current && !this.current.signal.aborted ? this.current : undefined;
  }

  /** Refuses cleanup (`destroy()`) while this object holds the key. */
  refuseIfHeld(): void {
    if (this.held) {
      throw new ConsulLockError('held', `${this.noun} "${this.key}" is held by this object`, {
        key: this.key,
      });
    }
  }

  /** Runs one acquisition; resolves `undefined` only when a `busy` step or {@link BUSY} says so. */
  async acquire<T>(options: AcquireOptions, steps: AcquisitionSteps<T, H>): Promise<H | undefined> {
    const { key, owner } = this;
    if (this.held || this.acquiring) {
      throw new ConsulLockError('held', `${this.noun} "${key}" is already held or being acquired`, {
        key,
      });
    }
    const signal =
      owner && options.signal
        ? AbortSignal.any([options.signal, owner])
        : (options.signal ?? owner);
    const attempt = new Attempt({ ...options, signal }, `${this.noun} acquisition`, key);
    this.acquiring = true;
    // On client close: end the attempt, and let close() wait for its cleanup (session destroy).
    const unregister = this.ctx.onClose(() => {
      attempt.abort(new ConsulLockError('closed', 'The Consul client was closed', { key }));
      return attempt.settled;
    });
    let session: AcquisitionSession | undefined;
    try {
      if (steps.busy && (await steps.busy(attempt))) return undefined;
      session = await steps.open(attempt);
      const lost = session.signal;
      if (lost?.aborted) throw lost.reason;
      const onSessionLost = () => attempt.abort(lost?.reason as Error);
      lost?.addEventListener('abort', onSessionLost, { once: true });
      try {
        const taken = await steps.take(session, attempt);
        this.current = steps.hold(session, taken, () => {
          this.current = undefined;
        });
        return this.current;
      } finally {
        lost?.removeEventListener('abort', onSessionLost);
      }
    } catch (err) {
      // A semaphore session's `delete` behaviour removes its contender key with it.
      await session?.owned?.stop();
      if (err === BUSY && !attempt.signal.aborted) return undefined;
      throw attempt.explain(err);
    } finally {
      unregister();
      attempt.dispose();
      this.acquiring = false;
    }
  }
}

/** Creates the session one acquisition owns (destroyed by the acquisition, not by client close). */
export async function openOwnedSession(
  ctx: CoordinationContext,
  options: Omit<ResolvedSessionOptions, 'node'>,
  signal: AbortSignal,
): Promise<AcquisitionSession> {
  const owned = await ManagedSession.createResolved(ctx, { ...options, node: undefined }, signal, {
    closeWithClient: false,
  });
  return { id: owned.id, ttlMs: owned.ttlMs, signal: owned.signal, owned };
}

/** How a {@link Hold} watches, names and gives back what it holds. */
export interface HoldSpec {
  ctx: CoordinationContext;
  /** The lock key or semaphore prefix (messages, monitor). */
  key: string;
  session: AcquisitionSession;
  monitorRetries: number;
  /** One consistent blocking read of the held key(s). */
  read(index: number, waitMs: number, signal: AbortSignal): Promise<MonitorVerdict>;
  /** The signal's reason when the hold is given up. */
  ended(reason: 'released' | 'closed'): ConsulLockError;
  /** Gives the key back and destroys the owned session. */
  giveBack(): Promise<void>;
  /** The acquirer forgets the hold. */
  onEnd(): void;
  /** The owner's lifetime: the hold is released when it aborts (even if it already has). */
  owner: AbortSignal | undefined;
  /** `Lock` or `Semaphore`, for logs. */
  noun: string;
}

/**
 * The held state of a lock or semaphore slot: its {@link Holding} monitor, its release (once) and
 * its close hook. Loss destroys the session the acquisition created, so no zombie holder keeps the
 * key (a session passed in by the caller is left to the caller).
 */
export class Hold {
  private readonly holding: Holding;
  private releasing: Promise<void> | undefined;
  private readonly unregister: () => void;
  /** Releases the hold when the owner's signal aborts. */
  private readonly onOwnerEnd = () => {
    this.release().catch((err: unknown) =>
      this.spec.ctx.options.logger.warn(`${this.spec.noun} release failed after its owner ended`, {
        key: this.spec.key,
        error: err instanceof Error ? err.message : String(err),
      }),
    );
  };

  constructor(private readonly spec: HoldSpec) {
    const { ctx, session } = spec;
    const owner = spec.owner;
    this.unregister = ctx.onClose(() => this.finish('closed'));
    this.holding = new Holding(
      {
        key: spec.key,
        ttlMs: session.ttlMs,
        monitorRetries: spec.monitorRetries,
        sessionSignal: session.signal,
        logger: ctx.options.logger,
        read: (index, waitMs, signal) => spec.read(index, waitMs, signal),
      },
      (error) => {
        this.unregister();
        owner?.removeEventListener('abort', this.onOwnerEnd);
        spec.onEnd();
        // No zombie holder: destroy the session we created (retried while Consul is unreachable).
        session.owned?.abandon(error);
        this.releasing = Promise.resolve();
      },
    );
    if (owner?.aborted) queueMicrotask(this.onOwnerEnd);
    else owner?.addEventListener('abort', this.onOwnerEnd, { once: true });
  }

  /** Aborts on loss or release; reading it re-checks the hold's deadlines ({@link Holding}). */
  get signal(): AbortSignal {
    return this.holding.signal;
  }

  /** Gives the hold up; idempotent, a no-op after loss. */
  release(): Promise<void> {
    return this.finish('released');
  }

  private finish(reason: 'released' | 'closed'): Promise<void> {
    if (this.releasing) return this.releasing;
    this.holding.end(this.spec.ended(reason));
    this.spec.owner?.removeEventListener('abort', this.onOwnerEnd);
    this.spec.onEnd();
    // The close hooks stay registered until the release is done: a client or scope closing
    // meanwhile (the owner's signal is aborted first, which starts this release) awaits it
    // instead of finishing while the key is still held.
    this.releasing = this.spec.giveBack().finally(this.unregister);
    return this.releasing;
  }
}

/** What a held lock and a held slot expose of their {@link Hold}. */
export abstract class HeldBase {
  /** Built last in the subclass constructor: the monitor's first read starts at once. */
  protected abstract readonly hold: Hold;

  /** Aborts when the hold is lost or released (`reason`: a {@link ConsulLockError}). */
  get signal(): AbortSignal {
    return this.hold.signal;
  }

  /** Gives the hold up. Idempotent; a no-op after loss. */
  release(): Promise<void> {
    return this.hold.release();
  }

  /** Releases via `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}
