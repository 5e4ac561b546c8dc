import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type Duration } from '../duration';
import { ConsulOptionError, ConsulError, ConsulNotFoundError } from '../errors';
import { type SessionBehavior, type SessionEntry } from '../endpoints/session';
import { validateKnownOptions, optionKeys } from '../models/validate';
import { DEFAULT_SESSION_TTL } from './constants';
import { type CoordinationContext, now } from './context';
import { ConsulLockError } from './errors';
import {
  createBound,
  deregisterLivenessCheck,
  isLivenessCheckGone,
  type LivenessCheck,
  passLivenessCheck,
  registerLivenessCheck,
} from './liveness-check';
import { adoptTtl, renewInterval, renewRetryDelay, sessionDeadline } from './timing';
import { checkFlag, checkLockDelay, checkName, checkSessionTtl } from './validate';

/** Options of a {@link ManagedSession}. */
export interface ManagedSessionOptions {
  /** Session TTL, 10 s–24 h. Default `'15s'`. Renewed every TTL/2. */
  ttl?: Duration;
  /** Lock-delay of locks this session held when it is invalidated, 0–60 s. Default Consul's 15 s. */
  lockDelay?: Duration;
  /**
   * Session name. A random suffix is always appended (`"<name> [1a2b3c4d]"`) so a session whose
   * creation answer was lost can be found and destroyed. Default `'consulkit'`.
   */
  name?: string;
  /** `release` (default) or `delete` the keys the session holds when it is invalidated. */
  behavior?: SessionBehavior;
  /** Node to attach the session to. Default: the agent's node. */
  node?: string;
  /** Node checks to bind (Consul's default `['serfHealth']`; `[]` for none). */
  nodeChecks?: readonly string[];
  /** Service check IDs to bind: the session is invalidated when one turns critical. */
  serviceChecks?: readonly string[];
  /**
   * Bind the session to a liveness check: a TTL check (a tenth shorter than the session's) on a
   * small service of its own on the local agent (`consulkit-session`, see `LIVENESS_SERVICE_NAME`),
   * passed on every renewal. If this process dies, the check turns critical within one TTL and Consul invalidates
   * the session at once; without it Consul may keep an unrenewed session up to 2×TTL. Costs a
   * service registration per session and a check pass per renewal; needs `service:write` on
   * `consulkit-session` (without it the session is created unbound, with one warning). Cannot be
   * combined with `node`. Default `false`.
   */
  livenessCheck?: boolean;
  /** Aborts the creation. */
  signal?: AbortSignal;
}

/** The option names of {@link ManagedSessionOptions} (unknown ones are rejected). */
const SESSION_OPTION_KEYS = optionKeys<ManagedSessionOptions>({
  ttl: true,
  lockDelay: true,
  name: true,
  behavior: true,
  node: true,
  nodeChecks: true,
  serviceChecks: true,
  livenessCheck: true,
  signal: true,
});

/** Events of a {@link ManagedSession}. */
export interface ManagedSessionEvents {
  /** The session is gone or can no longer be trusted (`reason`: `session-expired`, `renewal-lapsed`). */
  lost: [error: ConsulLockError];
  /** A renewal succeeded; `ttl` may have grown (the server can raise it under load). */
  renewed: [entry: SessionEntry];
}

/** Internal knobs of {@link ManagedSession.create} used by locks that own their session. */
export interface ManagedSessionInternals {
  /** Register a closer on the client (default true); a lock owning the session closes it itself. */
  closeWithClient?: boolean;
}

/** {@link ManagedSessionOptions} once validated. */
export interface ResolvedSessionOptions {
  ttlMs: number;
  lockDelayMs: number | undefined;
  name: string;
  behavior: SessionBehavior | undefined;
  node: string | undefined;
  nodeChecks: readonly string[] | undefined;
  serviceChecks: readonly string[] | undefined;
  livenessCheck: boolean;
}

/** The session behind each session signal, so a hold can re-check its session's clock. */
const sessionOfSignal = new WeakMap<AbortSignal, ManagedSession>();

/**
 * Re-checks the TTL of the {@link ManagedSession} behind `signal` (see `ManagedSession.verify`); a
 * no-op for any other signal.
 * @internal Used by locks and semaphores when their own signal is read.
 */
export function verifySessionOf(signal: AbortSignal | undefined): void {
  if (signal) sessionOfSignal.get(signal)?.verify();
}

/** Validates {@link ManagedSessionOptions} (throws `ConsulOptionError` naming the option). */
export function resolveSessionOptions(
  options: ManagedSessionOptions,
  defaultName = 'consulkit',
): ResolvedSessionOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConsulOptionError('options', 'an object', options);
  }
  validateKnownOptions(options, SESSION_OPTION_KEYS);
  const livenessCheck = checkFlag(options.livenessCheck, 'livenessCheck', false);
  if (livenessCheck && options.node !== undefined) {
    // The check lives on the local agent's node; a session of another node cannot bind it.
    throw new ConsulOptionError('livenessCheck', 'false when "node" is set', true);
  }
  return {
    ttlMs: checkSessionTtl(options.ttl ?? DEFAULT_SESSION_TTL),
    lockDelayMs: options.lockDelay === undefined ? undefined : checkLockDelay(options.lockDelay),
    name: options.name === undefined ? defaultName : checkName(options.name, 'name'),
    behavior: options.behavior,
    node: options.node,
    nodeChecks: options.nodeChecks,
    serviceChecks: options.serviceChecks,
    livenessCheck,
  };
}

/**
 * A TTL session that renews itself (`consul.session.renewing(...)`): renews every TTL/2 and adopts a
 * larger TTL answered by the server; after a failed renewal retries about every second until the TTL
 * would lapse on its own clock (last successful renewal + TTL), then declares the session lost — it
 * does not wait for the server, which may keep the session up to 2×TTL. A 404 on renewal is a loss
 * at once. `signal` aborts on loss (and on `stop()`); `stop()` destroys the session. With
 * `livenessCheck`, each renewal also passes the session's liveness check, and a check the agent no
 * longer knows is a loss.
 *
 * @example
 * const session = await consul.session.renewing({ ttl: '15s', lockDelay: '5s' });
 * session.signal.addEventListener('abort', () => console.log('lost', session.signal.reason));
 * await session.stop(); // destroys it
 */
export class ManagedSession extends EventEmitter<ManagedSessionEvents> {
  /** The session ID. */
  readonly id: string;
  /** The unique name it was created with. */
  readonly name: string;
  private readonly controller = new AbortController();
  private ttl: number;
  private lastRenewSentAt: number;
  /** When the last successful pass of the liveness check was sent. */
  private lastPassSentAt: number;
  private renewTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private inflight: AbortController | undefined;
  private state: 'active' | 'lost' | 'stopped' = 'active';
  private stopping: Promise<void> | undefined;
  private unregister: (() => void) | undefined;

  private constructor(
    private readonly ctx: CoordinationContext,
    id: string,
    name: string,
    ttlMs: number,
    createdAt: number,
    private readonly liveness: LivenessCheck | undefined,
  ) {
    super();
    this.id = id;
    this.name = name;
    this.ttl = ttlMs;
    this.lastRenewSentAt = createdAt;
    this.lastPassSentAt = liveness?.registeredAt ?? Infinity;
    sessionOfSignal.set(this.controller.signal, this);
    this.armDeadline();
    this.scheduleRenew(this.renewPeriod() - (now() - Math.min(createdAt, this.lastPassSentAt)));
  }

  /**
   * Creates the session and starts renewing it. Creation is not idempotent, so it is never retried
   * here (except after Consul's definite "missing check" answer for a liveness check it has not
   * synced yet); when its outcome is unknown (timeout, broken connection) the session is looked up
   * by its unique name and destroyed before the error is rethrown. With `livenessCheck`, the
   * liveness service is registered first (and deregistered again if the creation fails).
   */
  static async create(
    ctx: CoordinationContext,
    options: ManagedSessionOptions = {},
    internals: ManagedSessionInternals = {},
  ): Promise<ManagedSession> {
    const resolved = resolveSessionOptions(options);
    return ManagedSession.createResolved(ctx, resolved, options.signal, internals);
  }

  /** {@link ManagedSession.create} with options already validated. */
  static async createResolved(
    ctx: CoordinationContext,
    options: ResolvedSessionOptions,
    signal: AbortSignal | undefined,
    internals: ManagedSessionInternals = {},
  ): Promise<ManagedSession> {
    const suffix = randomBytes(4).toString('hex');
    const name = `${options.name} [${suffix}]`;
    const liveness = options.livenessCheck
      ? await registerLivenessCheck(ctx, { suffix, name, ttlMs: options.ttlMs }, signal)
      : undefined;
    // Consul keeps its default node check (`serfHealth`) when only ServiceChecks are sent (verified
    // on 1.8.7), so `nodeChecks` stays the caller's.
    const serviceChecks = liveness
      ? [...(options.serviceChecks ?? []), liveness.checkId]
      : options.serviceChecks;
    let sentAt = now();
    let id: string;
    try {
      id = await createBound(
        () => {
          sentAt = now();
          return ctx.session.create({
            name,
            ttl: options.ttlMs,
            lockDelay: options.lockDelayMs,
            behavior: options.behavior,
            node: options.node,
            nodeChecks: options.nodeChecks,
            serviceChecks,
            signal,
          });
        },
        // Consul's default node check when none are given (SES-1).
        [...(options.nodeChecks ?? ['serfHealth']), ...(serviceChecks ?? [])],
        signal,
      );
    } catch (err) {
      const orphans = outcomeUnknown(err) ? destroyOrphans(ctx, name) : Promise.resolve();
      // Deregistering the check also invalidates an orphan bound to it.
      if (liveness) void orphans.then(() => deregisterLivenessCheck(ctx, liveness));
      else void orphans;
      throw err;
    }
    const session = new ManagedSession(ctx, id, name, options.ttlMs, sentAt, liveness);
    if (internals.closeWithClient !== false) {
      session.unregister = ctx.onClose(() => session.stop());
    }
    return session;
  }

  /**
   * Aborts when the session is lost (reason: a {@link ConsulLockError}) or stopped. Reading it first
   * re-checks the TTL on our clock ({@link ManagedSession.verify}), so a process resumed after a
   * pause sees the loss before it acts on the session.
   */
  get signal(): AbortSignal {
    this.verify();
    return this.controller.signal;
  }

  /**
   * Declares the session lost at once (`renewal-lapsed`) when its TTL has run out on our clock but
   * the timer saying so has not fired yet: after a pause (long GC, SIGSTOP, a suspended VM) the
   * process's own timers and callbacks may run before ours, and must not act on a session the
   * server may already have expired. Returns whether the session is still active.
   */
  verify(): boolean {
    if (this.state === 'active' && now() >= this.deadline) this.lose(this.lapsed());
    return this.state === 'active';
  }

  /** Current TTL in ms (may have grown on renewal). */
  get ttlMs(): number {
    return this.ttl;
  }

  /**
   * Monotonic time (`performance.now()`) at which the session lapses on our clock: its TTL after
   * the last successful renewal or, sooner, the liveness check's TTL after its last pass.
   */
  get deadline(): number {
    const renewed = sessionDeadline(this.lastRenewSentAt, this.ttl);
    return this.liveness
      ? Math.min(renewed, sessionDeadline(this.lastPassSentAt, this.liveness.ttlMs))
      : renewed;
  }

  /** ID of the bound liveness check (`livenessCheck: true`); `undefined` without one. */
  get livenessCheckId(): string | undefined {
    return this.liveness?.checkId;
  }

  /** `active` while renewing; `lost` after a loss; `stopped` after `stop()`. */
  get status(): 'active' | 'lost' | 'stopped' {
    return this.state;
  }

  /**
   * Stops renewing and destroys the session, then deregisters its liveness service (best effort;
   * the session lapses by its TTL otherwise). Never rejects.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // The close hook stays registered until the session is destroyed: a client closing
      // meanwhile awaits this stop instead of closing its pools under the destroy call.
      const unregister = this.unregister;
      this.unregister = undefined;
      const wasActive = this.state === 'active';
      if (wasActive) this.state = 'stopped';
      this.halt();
      if (wasActive) {
        this.controller.abort(
          new ConsulLockError('released', `Session ${this.id} was stopped`, { key: this.id }),
        );
      }
      try {
        await this.destroy();
        await this.deregisterLiveness();
      } finally {
        unregister?.();
      }
    })();
    return this.stopping;
  }

  /** Stops via `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private scheduleRenew(delay: number): void {
    clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(() => void this.renewOnce(), Math.max(0, delay));
    this.renewTimer.unref();
  }

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(
      () => this.lose(this.lapsed()),
      Math.max(0, this.deadline - now()),
    );
    this.deadlineTimer.unref();
  }

  private lapsed(): ConsulLockError {
    return new ConsulLockError(
      'renewal-lapsed',
      `Session ${this.id} could not be renewed within its TTL (${this.ttl} ms)`,
      { key: this.id },
    );
  }

  /** Renewal period: half the shorter of the session's TTL and its liveness check's. */
  private renewPeriod(): number {
    return renewInterval(Math.min(this.ttl, this.liveness?.ttlMs ?? Infinity));
  }

  private async renewOnce(): Promise<void> {
    if (this.state !== 'active') return;
    const sentAt = now();
    const inflight = new AbortController();
    this.inflight = inflight;
    const call = { signal: inflight.signal, timeout: Math.max(1, this.deadline - sentAt) };
    const [renewed, passed] = await Promise.allSettled([
      this.ctx.session.renew(this.id, call),
      this.liveness ? passLivenessCheck(this.ctx, this.liveness, call) : undefined,
    ]);
    if (this.inflight === inflight) this.inflight = undefined;
    if (this.state !== 'active') return;
    if (renewed.status === 'rejected' && renewed.reason instanceof ConsulNotFoundError) {
      this.lose(
        new ConsulLockError('session-expired', `Session ${this.id} no longer exists`, {
          key: this.id,
          cause: renewed.reason,
        }),
      );
      return;
    }
    if (passed.status === 'rejected' && isLivenessCheckGone(passed.reason)) {
      // Consul invalidates a session whose bound check is deregistered (agent restart, operator).
      this.lose(
        new ConsulLockError(
          'session-invalidated',
          `The liveness check of session ${this.id} is gone from the agent`,
          { key: this.id, cause: passed.reason },
        ),
      );
      return;
    }
    if (renewed.status === 'fulfilled') {
      this.lastRenewSentAt = sentAt;
      this.ttl = adoptTtl(this.ttl, renewed.value.ttl);
    }
    if (passed.status === 'fulfilled') this.lastPassSentAt = sentAt;
    this.armDeadline();
    const failed = renewed.status === 'rejected' ? renewed : passed;
    if (failed.status === 'rejected') {
      const err: unknown = failed.reason;
      const delay = renewRetryDelay(now(), this.deadline);
      this.ctx.options.logger.warn(
        renewed.status === 'rejected'
          ? 'Consul session renewal failed; retrying'
          : 'Passing the liveness check of a Consul session failed; retrying',
        {
          session: this.id,
          error: err instanceof ConsulError ? err.code : String(err),
          retryInMs: delay === undefined ? undefined : Math.round(delay),
        },
      );
      if (delay !== undefined) this.scheduleRenew(delay);
    } else {
      this.scheduleRenew(this.renewPeriod() - (now() - sentAt));
    }
    if (renewed.status === 'fulfilled') this.emit('renewed', renewed.value);
  }

  /**
   * Declares the session lost for `error` (used by a lock whose monitor decided the loss): stops
   * renewing, aborts `signal`, and destroys the session in the background, retrying while Consul is
   * unreachable, so no zombie keeps a lock. A no-op unless active.
   */
  abandon(error: ConsulLockError): void {
    this.lose(error);
  }

  private lose(error: ConsulLockError): void {
    if (this.state !== 'active') return;
    this.state = 'lost';
    this.halt();
    this.ctx.options.logger.warn('Consul session lost', { session: this.id, reason: error.reason });
    this.controller.abort(error);
    this.emit('lost', error);
    // A lapsed session may still live on the server (up to 2×TTL, and a leader change restarts its
    // timer): keep trying to destroy it in the background, so no zombie keeps holding a lock once
    // Consul is reachable again. After a 404 it is gone already. Then its liveness service goes.
    const destroyed =
      error.reason === 'session-expired' ? Promise.resolve() : this.destroy(now() + 2 * this.ttl);
    this.stopping = Promise.resolve();
    void destroyed.then(() => this.deregisterLiveness());
  }

  /** Deregisters the liveness service, if any (best effort, bounded, never throws). */
  private async deregisterLiveness(): Promise<void> {
    if (this.liveness) await deregisterLivenessCheck(this.ctx, this.liveness);
  }

  private halt(): void {
    clearTimeout(this.renewTimer);
    clearTimeout(this.deadlineTimer);
    this.inflight?.abort();
    this.unregister?.();
    this.unregister = undefined;
  }

  /** Destroys the session; retryable failures are retried (~1 s apart) until `retryUntil`. */
  private async destroy(retryUntil = 0): Promise<void> {
    for (;;) {
      try {
        await this.ctx.session.destroy(this.id);
        return;
      } catch (err) {
        const retryable = err instanceof ConsulError && err.retryable;
        if (!retryable || now() >= retryUntil) {
          this.ctx.options.logger.warn(
            'Could not destroy Consul session; it will lapse by its TTL',
            {
              session: this.id,
              error: err instanceof ConsulError ? err.code : String(err),
            },
          );
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 750 + Math.random() * 500).unref());
    }
  }
}

/** A failure after which the request may have been applied (the create may have happened). */
function outcomeUnknown(err: unknown): boolean {
  if (!(err instanceof ConsulError)) return false;
  if ((err as ConsulError & { connectFailure?: boolean }).connectFailure) return false;
  return err.code === 'CONSUL_TIMEOUT' || err.code === 'CONSUL_UNAVAILABLE';
}

/** Destroys sessions carrying `name` (unique per creation attempt). Best effort, never throws. */
async function destroyOrphans(ctx: CoordinationContext, name: string): Promise<void> {
  try {
    const sessions = await ctx.session.list();
    await Promise.all(
      sessions.filter((s) => s.name === name).map((s) => ctx.session.destroy(s.id)),
    );
  } catch {
    // The orphan holds no lock and is never renewed: it lapses by its TTL.
  }
}
