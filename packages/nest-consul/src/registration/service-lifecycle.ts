import {
  type Consul,
  ConsulTimeoutError,
  type HealthReport,
  type Registration,
  type RegistrationEvent,
} from '@consulkit/core';
import { type Logger } from '@nestjs/common';
import { type CheckRegistry, summaryOutput } from '../health/check-registry';
import { describeError } from '../internal/nest-logger';
import { type ConsulServiceOptions } from '../interfaces/consul-module-options.interface';
import { registrationDefinition, registrationOptions } from './service-definition';

/** Settings of a {@link ServiceLifecycle}. */
export interface LifecycleSettings {
  service: ConsulServiceOptions;
  healthRoute: string | false;
  ttl: string | number | undefined;
  drainMs: number;
  deregisterTimeoutMs: number;
}

/** Address and port the HTTP server bound. */
export interface BoundAddress {
  address: string | undefined;
  port: number | undefined;
}

const DRAIN_REASON = 'Draining: the Nest application is shutting down (@consulkit/nest)';

/**
 * The registration of one app, mapped onto Nest's lifecycle: `start` once the HTTP server listens
 * (with the bound address), `drain` in `beforeApplicationShutdown` (maintenance → wait →
 * deregister), `stop` in `onApplicationShutdown`. Core's `Registration` does the retrying,
 * heartbeats and re-registration; this class decides when, and logs through Nest's Logger.
 */
export class ServiceLifecycle {
  private registration: Registration | undefined;
  private failures = 0;
  private closing = false;

  constructor(
    private readonly client: Consul,
    private readonly settings: LifecycleSettings,
    private readonly checks: CheckRegistry,
    private readonly log: Logger,
  ) {}

  /** The registration, once the server listens. */
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
    if (this.closing || this.registration) return;
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
      this.failures = 0;
      this.log.warn(
        `Consul had lost service ${event.id} (${event.reason ?? 'unknown reason'}); registered it again`,
      );
    });
  }

  /**
   * The drain protocol: maintenance on (Consul stops returning the instance as passing), wait for
   * consumers' caches to drop it while in-flight requests finish, then deregister. Every Consul
   * call is bounded; nothing here throws or hangs when the agent is gone.
   */
  async drain(): Promise<void> {
    this.closing = true;
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
        this.log.log(
          `Consul maintenance on for ${registration.id}; draining ${this.settings.drainMs} ms before deregistration`,
        );
        await sleep(this.settings.drainMs - (Date.now() - started));
      } catch (err) {
        // Consul cannot hear us, so it cannot route differently either: waiting would not help.
        this.log.warn(
          `Could not enter Consul maintenance for ${registration.id}: ${describeError(err)}`,
        );
      }
    }
    try {
      // Core logs the deregistration itself, through the client's logger.
      await registration.deregister({ timeout: this.settings.deregisterTimeoutMs });
    } catch (err) {
      this.log.warn(
        `Could not deregister ${registration.id} from Consul (the agent reaps it once its checks are critical): ${describeError(err)}`,
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
    this.log.log(
      `Registered ${event.id} (service ${event.name}) with Consul at ${registration?.address}:${registration?.port}`,
    );
    this.failures = 0;
  }

  /** The first failure of a streak is an error; the retries that follow are debug noise. */
  private onError(err: Error): void {
    this.failures += 1;
    const text = `Consul registration error (attempt ${this.failures}); retrying with backoff: ${err.message}`;
    if (this.failures === 1) this.log.error(text);
    else this.log.debug(text);
  }
}

/** Races `promise` with a timeout: shutdown waits for Consul only so long. */
export async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ConsulTimeoutError(`${what} did not complete within ${ms} ms`, {})),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
