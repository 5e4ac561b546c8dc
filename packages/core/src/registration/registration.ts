import { EventEmitter } from 'node:events';
import type { Consul } from '../consul';
import { toMillis } from '../duration';
import { type ConsulVersion } from '../endpoints/agent';
import {
  ConsulClosedError,
  ConsulOptionError,
  ConsulError,
  ConsulNotFoundError,
  ConsulTimeoutError,
} from '../errors';
import { type HealthStatus } from '../models/check';
import { type CheckDefinition } from '../models/check-definition';
import { type ServiceDefinition } from '../models/service-definition';
import { type RegistrationPlan } from './check-plan';
import { Heartbeat } from './heartbeat';
import { type ResolvedRegistrationOptions } from './registration-options';
import { Reconciler } from './reconciler';
import { retryUntilDone } from './retry';
import { withTimeout } from './timing';
import {
  type DeregisterOptions,
  type HealthReport,
  type RegistrationEvent,
  type RegistrationEventMap,
  type RegistrationState,
  type ReregisterReason,
} from './types';
import { gateForVersion, needsVersion } from './version';
import { publishRegistration } from './registration-channels';

const DEFAULT_DEREGISTER_TIMEOUT_MS = 5_000;
/** Deregistration attempted when the client closes: short, shutdown is waiting. */
const CLOSE_DEREGISTER_TIMEOUT_MS = 2_000;

/**
 * One service instance kept registered with the local agent, from `consul.register(def)`.
 *
 * - registers with `?replace-existing-checks` (idempotent), retrying with jittered backoff while
 *   the agent is unreachable (it never throws from the background: failures are `error` events);
 * - keeps TTL checks alive from the optional in-process health function ({@link Heartbeat});
 * - registers again whenever the agent lost the service — TTL update answered "unknown check"
 *   (404, or 1.8's 500s), or the agent no longer knowing the ID ({@link Reconciler}) — for every
 *   check type, re-applying maintenance mode and the last reported TTL status;
 * - `maintenance(on, reason)` for draining, `deregister({ timeout })` that never hangs.
 *
 * @example
 * const reg = consul.register({ name: 'web', port: 3000, address: '127.0.0.1',
 *   check: { http: '/health', interval: '5s' } });
 * await reg.registered;
 * // on shutdown:
 * await reg.maintenance(true, 'draining');
 * await reg.deregister({ timeout: '2s' });
 */
export class Registration extends EventEmitter<RegistrationEventMap> {
  /** Instance ID (generated `name-host-port-<random>` unless given). */
  readonly id: string;
  /** Service name. */
  readonly name: string;
  /** Registered address. */
  readonly address: string;
  /** Registered port. */
  readonly port: number;
  /** IDs of the instance's checks, in definition order. */
  readonly checkIds: readonly string[];
  /** The definition sent to the agent (before version gating and TTL status). */
  readonly definition: ServiceDefinition;

  private state: RegistrationState = 'idle';
  private readonly loops = new AbortController();
  private readonly heartbeat: Heartbeat | undefined;
  private readonly reconciler: Reconciler | undefined;
  private readonly ttlIds: ReadonlySet<string>;
  private readonly ready: Promise<void>;
  private settleReady!: (error?: Error) => void;
  private readySettled = false;
  private starting: Promise<void> | undefined;
  private recovering: Promise<void> | undefined;
  private deregistering: Promise<void> | undefined;
  /** The register call in flight: deregistration waits for it, so it cannot land afterwards. */
  private inflight: Promise<void> | undefined;
  private wanted: { enabled: boolean; reason: string | undefined } = {
    enabled: false,
    reason: undefined,
  };
  private version: ConsulVersion | undefined;
  private warnedDropped = false;
  private readonly removeCloser: () => void;

  /** Use `consul.register(def, options)`. */
  constructor(
    private readonly consul: Consul,
    private readonly plan: RegistrationPlan,
    private readonly options: ResolvedRegistrationOptions,
  ) {
    super();
    this.id = plan.id;
    this.name = plan.name;
    this.address = plan.address;
    this.port = plan.port;
    this.checkIds = plan.checks.map((c) => c.checkId);
    this.definition = plan.service;
    const ttl = plan.checks.filter((c) => c.kind === 'ttl');
    this.ttlIds = new Set(ttl.map((c) => c.checkId));
    if (ttl.length > 0) {
      const shortest = Math.min(...ttl.map((c) => c.ttlMs as number));
      const period = options.heartbeatIntervalMs ?? shortest / 3;
      if (period >= shortest) {
        throw new ConsulOptionError(
          'options.heartbeatInterval',
          `a duration shorter than the shortest TTL (${shortest} ms)`,
          options.heartbeatIntervalMs,
        );
      }
      this.heartbeat = new Heartbeat([...this.ttlIds], period, options.health, {
        update: (id, status, output) => this.consul.agent.check.update(id, status, output),
        lost: () => this.recover('check-lost'),
        failed: (err, consecutive) => {
          // One report per outage: a failed beat is retried within a fraction of a second.
          if (consecutive === 1) this.report(err, 'TTL heartbeat failed; retrying');
          else this.debug('TTL heartbeat failed again', err, consecutive);
        },
        active: () => this.state === 'registered',
      });
    }
    if (options.reconcile) {
      this.reconciler = new Reconciler(this.id, this.consul.agent.service, {
        missing: () => this.recover('service-missing'),
        failed: (err, consecutive) => {
          // One report per outage: the probe retries every second while the agent is away.
          if (consecutive === 1) this.report(err, 'Cannot reach the Consul agent; will retry');
          else this.debug('Agent probe failed again', err, consecutive);
        },
        active: () => this.state === 'registered',
      });
    }
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (error) => {
        if (this.readySettled) return;
        this.readySettled = true;
        if (error) reject(error);
        else resolve();
      };
    });
    // Nobody may be awaiting `registered`: a rejection must not become an unhandled rejection.
    this.ready.catch(() => undefined);
    this.removeCloser = consul.onClose(() => this.onClientClose());
  }

  /** Lifecycle state: `registering`, `registered`, `recovering` (agent lost it), `deregistered`... */
  get status(): RegistrationState {
    return this.state;
  }

  /**
   * Resolves once the first registration succeeded. Rejects when Consul refused it for good
   * (bad request, ACL denial: status `failed`) or when the registration was stopped first.
   */
  get registered(): Promise<void> {
    return this.ready;
  }

  /** Whether maintenance mode is wanted (kept across re-registrations). */
  get maintenanceEnabled(): boolean {
    return this.wanted.enabled;
  }

  /** The last report of the health function driving the TTL checks (undefined before the first). */
  get lastHealth(): HealthReport | undefined {
    return this.heartbeat?.lastReport;
  }

  /** Starts registering (done by `consul.register` unless `autoStart: false`). Returns `registered`. */
  start(): Promise<void> {
    if (this.state === 'idle' && !this.starting) this.starting = this.firstRegistration();
    return this.ready;
  }

  /** Sends a TTL heartbeat now instead of at the next period (e.g. right after health changed). */
  beatNow(): void {
    this.heartbeat?.beatNow();
  }

  /**
   * Turns maintenance mode on (the instance leaves `?passing` results: drain before deregistering)
   * or off. Remembered: re-applied if the agent loses and we re-register the service. Before the
   * first registration it is only remembered and applied with it.
   */
  async maintenance(enable: boolean, reason?: string): Promise<void> {
    if (typeof enable !== 'boolean') throw new ConsulOptionError('enable', 'a boolean', enable);
    if (reason !== undefined && typeof reason !== 'string') {
      throw new ConsulOptionError('reason', 'a string', reason);
    }
    this.wanted = { enabled: enable, reason };
    if (this.state !== 'registered') return;
    try {
      await this.consul.agent.service.maintenance(this.id, enable, reason);
    } catch (err) {
      // The agent lost the service: registering again applies the wanted maintenance state.
      if (err instanceof ConsulNotFoundError) await this.recover('service-missing');
      else throw err;
    }
  }

  /**
   * Stops the heartbeat and the reconciler, then deregisters from the agent. Bounded by
   * `timeout` (default 5 s): resolves once the agent confirmed (an unknown ID counts as done),
   * rejects with a `ConsulTimeoutError` when the agent could not be reached in time, and never
   * hangs. Idempotent: later calls return the same promise.
   */
  deregister(options: DeregisterOptions = {}): Promise<void> {
    const timeoutMs = toMillis(options.timeout ?? DEFAULT_DEREGISTER_TIMEOUT_MS, 'options.timeout');
    this.deregistering ??= this.runDeregister(timeoutMs);
    return this.deregistering;
  }

  /**
   * Stops the heartbeat and the reconciler without deregistering: the instance then goes
   * critical when its TTL expires and is reaped after `DeregisterCriticalServiceAfter`.
   */
  stop(): void {
    if (this.state === 'deregistered' || this.state === 'stopped') return;
    this.loops.abort();
    this.removeCloser();
    this.settleReady(new ConsulClosedError(`Registration of ${this.id} was stopped`));
    if (this.state !== 'deregistering' && this.state !== 'failed') this.setState('stopped');
  }

  private async firstRegistration(): Promise<void> {
    const signal = this.loops.signal;
    this.setState('registering');
    if (this.heartbeat) await this.heartbeat.evaluate();
    const outcome = await retryUntilDone(() => this.registerOnce(signal), signal, {
      minMs: 250,
      maxMs: 5_000,
      refused: isPermanent,
      failed: (err, consecutive) => {
        if (consecutive === 1) this.report(err, 'Registration failed; retrying');
        else this.debug('Registration failed again', err, consecutive);
      },
    });
    if (outcome.kind === 'refused') {
      this.setState('failed');
      this.loops.abort();
      this.settleReady(outcome.error as Error);
      this.report(outcome.error, 'Consul refused the registration');
      return;
    }
    if (outcome.kind === 'stopped') return;
    this.setState('registered');
    this.settleReady();
    this.announce('registered');
    void this.heartbeat?.run(signal);
    void this.reconciler?.run(signal);
  }

  /** Registers again after the agent lost the service; one recovery at a time. */
  private recover(reason: ReregisterReason): Promise<void> {
    this.recovering ??= (async () => {
      const signal = this.loops.signal;
      if (signal.aborted || this.state !== 'registered') return;
      this.setState('recovering');
      // A lost service often means a restarted (maybe upgraded) agent: ask its version again.
      this.version = undefined;
      const outcome = await retryUntilDone(() => this.registerOnce(signal), signal, {
        minMs: 200,
        // Refusals are retried too (the agent lost the service), only slower.
        maxMs: (err) => (isPermanent(err) ? 30_000 : 2_000),
        failed: (err, consecutive) => {
          if (consecutive === 1) this.report(err, 'Re-registration failed; retrying');
          else this.debug('Re-registration failed again', err, consecutive);
        },
      });
      if (outcome.kind !== 'done') return;
      this.setState('registered');
      this.announce('reregistered', reason);
    })().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  private registerOnce(signal: AbortSignal): Promise<void> {
    const call = (async () => {
      if (this.version === undefined && needsVersion(this.plan.service)) {
        this.version = (await this.consul.agent.self({ signal })).version;
      }
      const { service, dropped } = gateForVersion(this.withTtlStatus(), this.version);
      if (dropped.length > 0 && !this.warnedDropped) {
        this.warnedDropped = true;
        this.consul.options.logger.warn(
          `Consul ${this.version?.text ?? '(unknown version)'} does not accept ${dropped.join(', ')}; not sent`,
          { serviceId: this.id },
        );
      }
      await this.consul.agent.service.register(service, { replaceExistingChecks: true, signal });
      if (this.wanted.enabled) {
        await this.consul.agent.service.maintenance(this.id, true, this.wanted.reason, { signal });
      }
    })();
    const tracked: Promise<void> = call.then(
      () => this.untrack(tracked),
      () => this.untrack(tracked),
    );
    this.inflight = tracked;
    return call;
  }

  private untrack(call: Promise<void>): void {
    if (this.inflight === call) this.inflight = undefined;
  }

  /**
   * The definition with each TTL check's status: on the first registration the `status` the user
   * gave (else the health function's first report); on a re-registration the last report, so a
   * healthy instance comes back passing at once instead of critical until its next beat.
   */
  private withTtlStatus(): ServiceDefinition {
    const report = this.heartbeat?.lastReport;
    const first = this.state === 'registering';
    const initial = new Map(this.plan.checks.map((c) => [c.checkId, c.initialStatus]));
    const apply = (check: CheckDefinition): CheckDefinition => {
      const id = check.checkId as string;
      if (!this.ttlIds.has(id)) return check;
      const status: HealthStatus =
        (first ? initial.get(id) : undefined) ?? report?.status ?? initial.get(id) ?? 'passing';
      return { ...check, status };
    };
    const service: ServiceDefinition = { ...this.plan.service };
    if (service.check) service.check = apply(service.check);
    if (service.checks) service.checks = service.checks.map(apply);
    return service;
  }

  private async runDeregister(timeoutMs: number): Promise<void> {
    const neverSent = this.state === 'idle';
    this.loops.abort();
    this.removeCloser();
    this.settleReady(new ConsulClosedError(`Registration of ${this.id} was deregistered`));
    this.setState('deregistering');
    if (neverSent) {
      this.setState('deregistered');
      return;
    }
    const deadline = Date.now() + timeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    // A register call still in flight could land after the deregistration and resurrect the entry.
    if (this.inflight) {
      await withTimeout(this.inflight, timeoutMs, () => new Error('in-flight registration')).catch(
        () => undefined,
      );
    }
    const outcome = await retryUntilDone(
      () =>
        this.consul.agent.service.deregister(this.id, {
          signal,
          timeout: Math.max(1, deadline - Date.now()),
        }),
      signal,
      { minMs: 100, maxMs: 1_000, deadline, refused: isPermanent },
    );
    if (outcome.kind === 'done') {
      this.setState('deregistered');
      this.announce('deregistered');
      return;
    }
    this.setState('failed');
    const lastError = outcome.error;
    if (isPermanent(lastError)) throw lastError as Error;
    throw new ConsulTimeoutError(
      `Deregistering ${this.id} did not complete within ${timeoutMs} ms: ${describe(lastError)}`,
      { cause: lastError },
    );
  }

  private async onClientClose(): Promise<void> {
    const live = ['registering', 'registered', 'recovering'].includes(this.state);
    if (this.options.deregisterOnClose && live) {
      await this.deregister({ timeout: CLOSE_DEREGISTER_TIMEOUT_MS }).catch((err: unknown) =>
        this.consul.options.logger.warn(`Could not deregister ${this.id} on close`, {
          error: describe(err),
        }),
      );
    } else {
      this.stop();
    }
  }

  private setState(state: RegistrationState): void {
    this.state = state;
  }

  private announce(
    event: 'registered' | 'reregistered' | 'deregistered',
    reason?: ReregisterReason,
  ) {
    const payload: RegistrationEvent = { id: this.id, name: this.name };
    if (reason) payload.reason = reason;
    publishRegistration(event, { ...payload, address: this.address, port: this.port });
    this.consul.options.logger.info(`Consul service ${event}`, { ...payload });
    this.emit(event, payload);
  }

  private debug(message: string, err: unknown, consecutive: number): void {
    this.consul.options.logger.debug(message, {
      serviceId: this.id,
      consecutive,
      error: describe(err),
    });
  }

  /** An `error` event when someone listens (an unheard `error` would crash the process), else a log. */
  private report(err: unknown, message: string): void {
    const error = err instanceof Error ? err : new Error(String(err));
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else this.consul.options.logger.warn(`${message}: ${error.message}`, { serviceId: this.id });
  }
}

/** Errors no retry fixes: bad request, ACL denial, TLS misconfiguration, bad options. */
function isPermanent(err: unknown): boolean {
  return (
    err instanceof ConsulError &&
    ['CONSUL_CONFIG', 'CONSUL_BAD_REQUEST', 'CONSUL_ACL', 'CONSUL_TLS'].includes(err.code)
  );
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
