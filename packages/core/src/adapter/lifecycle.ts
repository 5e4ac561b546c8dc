import { type Consul } from '../consul';
import { sleep } from '../internal/backoff';
import { bounded } from '../internal/bounded';
import { type ConsulLogger } from '../logger';
import { type Registration } from '../registration/registration';
import { type RegistrationEvent } from '../registration/types';
import { buildServiceDefinition, serviceRegistrationOptions } from './definition-builder';
import { HealthCheckRegistry } from './health-checks';
import { type ResolvedServiceLifecycleOptions } from './service-options';
import { ResourceScope } from './resource-scope';

/** Address and port the app's server bound (`server.address()`), `undefined` on a unix socket. */
export interface BoundAddress {
  address: string | undefined;
  port: number | undefined;
}

/** How an adapter sets up a {@link ServiceLifecycle}. */
export interface ServiceLifecycleSettings {
  /** The options as `resolveServiceOptions` resolved them. */
  options: ResolvedServiceLifecycleOptions;
  /** The client: the adopted one, or the one the adapter created from `options.client`. */
  client: Consul;
  /** Where the lifecycle logs (registration, drain, failures): the framework's logger. */
  logger: ConsulLogger;
  /**
   * The health route as served, when the framework moves it (a route prefix). Default
   * `options.healthRoute`.
   */
  healthRoute?: string | false;
  /** Names the adapter in what Consul and the logs show, e.g. `'@consulkit/fastify'`. */
  source?: string;
  /** How users add check functions, for the TTL check's notes, e.g. `'app.consul.addCheck'`. */
  addCheck?: string;
  /** Why the app's recipes end (the scope's reason), e.g. `'The Fastify app is closing'`. */
  closeReason?: string;
}

/**
 * One app's life as a Consul citizen, framework-free; an adapter maps its hooks onto it:
 * {@link listen} once the server really listens (bound address and port), {@link drain} before the
 * server stops taking requests, {@link close} after it stopped. It owns the app's check functions
 * ({@link checks}: health route and TTL heartbeat), the recipes made for the app ({@link scope})
 * and the registration; core's `Registration` does the retrying, heartbeats and re-registration.
 * Every Consul call on the way out is bounded by `deregisterTimeout`: shutdown never hangs on a
 * dead agent, and nothing here throws on the way out.
 *
 * @example
 * const options = resolveServiceOptions({ service: { name: 'web' }, drain: '2s' });
 * const consul = new Consul();
 * const life = new ServiceLifecycle({ options, client: consul, logger: defaultLogger });
 * server.on('listening', () => void life.listen(server.address()));
 * process.once('SIGTERM', async () => { await life.drain(); server.close(); await life.close(); });
 */
export class ServiceLifecycle {
  /** The client. */
  readonly client: Consul;
  /** The app's check functions, read by the health route and the TTL heartbeat. */
  readonly checks: HealthCheckRegistry;
  /** The recipes made for the app, ended by {@link close}. */
  readonly scope: ResourceScope;
  private readonly options: ResolvedServiceLifecycleOptions;
  private readonly logger: ConsulLogger;
  private readonly healthRoute: string | false;
  private readonly source: string;
  private readonly addCheck: string;
  private current: Registration | undefined;
  private shuttingDown = false;
  private draining: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(settings: ServiceLifecycleSettings) {
    this.options = settings.options;
    this.client = settings.client;
    this.logger = settings.logger;
    this.healthRoute = settings.healthRoute ?? settings.options.healthRoute;
    this.source = settings.source ?? '@consulkit/core';
    this.addCheck = settings.addCheck ?? 'the app';
    this.checks = new HealthCheckRegistry(settings.options.checkTimeoutMs);
    this.scope = new ResourceScope(settings.client, { reason: settings.closeReason });
  }

  /** The registration, once {@link listen} started it; `undefined` before and with `service: false`. */
  get registration(): Registration | undefined {
    return this.current;
  }

  /**
   * The `failFast` startup probe, run by the adapter before the app starts serving: resolves once
   * the agent answers (`/v1/status/leader`), else logs the failure and rejects with the client's
   * typed error, so the app's startup fails. Resolves at once when `failFast` is off.
   */
  async probe(): Promise<void> {
    if (!this.options.failFast) return;
    try {
      await this.client.status.leader();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.logger.error(`Consul agent unreachable at startup (failFast): ${reason}`);
      throw err;
    }
  }

  /**
   * Registers the service with the bound address and port (a no-op with `service: false`, once
   * started, or once shutting down). Resolves once the registration is started; it completes in
   * the background, retrying with backoff while the agent is away. The check functions' verdict
   * right now is the initial status of the checks added, so there is no critical window. Never
   * rejects: a definition that cannot be built (no TCP port to register) is logged.
   */
  async listen(bound: BoundAddress): Promise<void> {
    try {
      await this.register(bound);
    } catch (err) {
      this.logger.error('Could not register with Consul', { err });
    }
  }

  private async register(bound: BoundAddress): Promise<void> {
    const service = this.options.service;
    if (!service || this.current || this.shuttingDown) return;
    const initial = await this.checks.run();
    if (this.current || this.shuttingDown) return;
    const definition = buildServiceDefinition(service, {
      healthRoute: this.healthRoute,
      ttl: this.options.ttl,
      boundAddress: bound.address,
      boundPort: bound.port,
      initialStatus: initial.status,
      ttlCheckNotes: `Reports the checks added with ${this.addCheck} (${this.source})`,
    });
    const registration = this.client.register(
      definition,
      serviceRegistrationOptions(service, () => this.checks.report()),
    );
    this.current = registration;
    // Core reports the first failure of each streak here, and the retries at debug itself.
    registration.on('error', (err) =>
      this.logger.error('Consul registration error; retrying with backoff', {
        err,
        serviceId: registration.id,
      }),
    );
    registration.on('registered', (event) => this.onRegistered(event));
    registration.on('reregistered', (event) =>
      this.logger.warn('Consul had lost the service; registered it again', {
        serviceId: event.id,
        reason: event.reason,
      }),
    );
  }

  /**
   * The drain protocol: maintenance on (Consul stops returning the instance as passing), wait
   * `drain` for consumers' caches to drop it while in-flight requests finish, then deregister.
   * When maintenance cannot be set (agent gone), the wait is skipped: Consul cannot route
   * differently either. Idempotent (a drain started by a signal is not repeated by shutdown hooks);
   * resolves at once before {@link listen} or with `service: false`. Never rejects.
   */
  drain(): Promise<void> {
    this.shuttingDown = true;
    this.draining ??= this.runDrain();
    return this.draining;
  }

  /**
   * Ends the app's side: the registration's loops stop (without contacting Consul: after
   * {@link drain}, or when it never ran), the scope's recipes close (each bounded by
   * `deregisterTimeout`), and a client the adapter created from options closes. Idempotent; never
   * rejects.
   */
  close(): Promise<void> {
    this.shuttingDown = true;
    this.closing ??= (async () => {
      const registration = this.current;
      if (registration && registration.status !== 'deregistered') registration.stop();
      await this.scope.close({
        timeoutMs: this.options.deregisterTimeoutMs,
        onError: (err) =>
          this.logger.warn('Error while closing a Consul resource of the app', { err }),
      });
      if (this.options.client.owned) await this.client.close();
    })();
    return this.closing;
  }

  private async runDrain(): Promise<void> {
    const registration = this.current;
    if (!registration) return;
    const { drainMs, deregisterTimeoutMs } = this.options;
    if (registration.status === 'registered' || registration.status === 'recovering') {
      const started = performance.now();
      try {
        await bounded(
          registration.maintenance(true, `Draining before deregistration (${this.source})`),
          deregisterTimeoutMs,
          'maintenance mode',
        );
        this.logger.info('Consul maintenance on; draining before deregistration', {
          serviceId: registration.id,
          drainMs,
        });
        await sleep(drainMs - (performance.now() - started));
      } catch (err) {
        this.logger.warn('Could not enter Consul maintenance', { err, serviceId: registration.id });
      }
    }
    try {
      await registration.deregister({ timeout: deregisterTimeoutMs });
    } catch (err) {
      this.logger.warn(
        'Could not deregister from Consul; the agent reaps the instance once its checks are critical',
        { err, serviceId: registration.id },
      );
    }
  }

  private onRegistered(event: RegistrationEvent): void {
    this.logger.info('Registered with Consul', {
      serviceId: event.id,
      service: event.name,
      address: this.current?.address,
      port: this.current?.port,
    });
  }
}
