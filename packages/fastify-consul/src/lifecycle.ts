import {
  type Consul,
  type HealthReport,
  type Registration,
  type RegistrationEvent,
} from '@consulkit/core';
import { type FastifyBaseLogger } from 'fastify';
import { type CheckRegistry, summaryOutput } from './checks';
import { type FastifyConsulServiceOptions } from './options';
import { registrationDefinition, registrationOptions } from './service-definition';
import { bounded, sleep } from './timing';

/** Settings of a {@link ServiceLifecycle}. */
export interface LifecycleSettings {
  service: FastifyConsulServiceOptions;
  /** Health route path as served (prefix included), or `false`. */
  healthRoute: string | false;
  ttl: string | number | undefined;
  drainMs: number;
  deregisterTimeoutMs: number;
}

/** Address and port `listen` bound. */
export interface BoundAddress {
  address: string | undefined;
  port: number | undefined;
}

const DRAIN_REASON = 'Draining: the Fastify app is closing (@consulkit/fastify)';

/**
 * The registration of one app, mapped onto Fastify's lifecycle: `start` on `onListen` with the
 * bound address, `drain` on `preClose` (maintenance → wait → deregister), `stop` on `onClose`.
 * Core's `Registration` does the retrying, heartbeats and re-registration; this class decides when
 * and logs what happens through the app's logger.
 */
export class ServiceLifecycle {
  private registration: Registration | undefined;
  private closing = false;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly client: Consul,
    private readonly settings: LifecycleSettings,
    private readonly checks: CheckRegistry,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** The registration, once `listen` started it. */
  get current(): Registration | undefined {
    return this.registration;
  }

  /**
   * Registers the service with the really bound address and port. Returns once the registration
   * is started; it completes in the background, retrying with backoff while the agent is away.
   */
  async start(bound: BoundAddress): Promise<void> {
    if (this.registration || this.closing) return;
    // The checks' verdict right now becomes the initial status: no critical window after listen.
    const initial = await this.checks.run();
    if (this.closing) return;
    const { service } = this.settings;
    const definition = registrationDefinition(service, {
      healthRoute: this.settings.healthRoute,
      ttl: this.settings.ttl,
      boundAddress: bound.address,
      boundPort: bound.port,
      initialStatus: initial.status,
    });
    const registration = this.client.register(
      definition,
      registrationOptions(service, () => this.report()),
    );
    this.registration = registration;
    registration.on('error', (err) => this.onError(err));
    registration.on('registered', (event) => this.onRegistered(event));
    registration.on('reregistered', (event) => {
      this.log.warn(
        { serviceId: event.id, reason: event.reason },
        'Consul had lost the service; registered it again',
      );
    });
  }

  /**
   * The drain protocol: maintenance on (Consul stops returning the instance as passing), wait for
   * consumers' caches to drop it while in-flight requests finish, then deregister. Every Consul
   * call is bounded; nothing here throws or hangs when the agent is gone. Idempotent: a drain
   * started by a signal (while the server still serves normally) is not repeated in `preClose`.
   */
  drain(): Promise<void> {
    this.closing = true;
    this.draining ??= this.runDrain();
    return this.draining;
  }

  private async runDrain(): Promise<void> {
    const registration = this.registration;
    if (!registration) return;
    if (registration.status === 'registered' || registration.status === 'recovering') {
      const started = Date.now();
      try {
        await bounded(
          registration.maintenance(true, DRAIN_REASON),
          this.settings.deregisterTimeoutMs,
          'maintenance mode',
        );
        this.log.info(
          { serviceId: registration.id, drainMs: this.settings.drainMs },
          'Consul maintenance on; draining before deregistration',
        );
        await sleep(this.settings.drainMs - (Date.now() - started));
      } catch (err) {
        // Consul cannot hear us, so it cannot route differently either: waiting would not help.
        this.log.warn({ err, serviceId: registration.id }, 'Could not enter Consul maintenance');
      }
    }
    try {
      await registration.deregister({ timeout: this.settings.deregisterTimeoutMs });
    } catch (err) {
      this.log.warn(
        { err, serviceId: registration.id },
        'Could not deregister from Consul; the agent reaps the instance once its checks are critical',
      );
    }
  }

  /** Ends the registration's loops without contacting Consul (after `drain`, or if it never ran). */
  stop(): void {
    this.closing = true;
    const registration = this.registration;
    if (registration && registration.status !== 'deregistered') registration.stop();
  }

  /** The TTL heartbeat's verdict: the same check functions as the health route. */
  private async report(): Promise<HealthReport> {
    const summary = await this.checks.run();
    return { status: summary.status, output: summaryOutput(summary) };
  }

  private onRegistered(event: RegistrationEvent): void {
    const registration = this.registration;
    this.log.info(
      {
        serviceId: event.id,
        service: event.name,
        address: registration?.address,
        port: registration?.port,
      },
      'Registered with Consul',
    );
  }

  /** Core reports the first failure of each streak (and logs the retries at debug itself). */
  private onError(err: Error): void {
    this.log.error(
      { err, serviceId: this.registration?.id },
      'Consul registration error; retrying with backoff',
    );
  }
}
