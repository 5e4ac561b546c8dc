import { type Duration } from '@consulkit/core';
import { toMillis } from '@consulkit/core/adapter';
import { Inject, Injectable } from '@nestjs/common';
import { ConsulRuntime } from '../internal/consul-runtime';
import {
  AGENT_WITHOUT_LEADER,
  agentUnreachable,
  CHECK_CRITICAL,
  REGISTRATION_REFUSED,
} from '../consul.messages';

/**
 * The result shape of a `@nestjs/terminus` health indicator (structurally its
 * `HealthIndicatorResult`): `{ [key]: { status: 'up' | 'down', ...details } }`. Declared here so
 * that this package's types never import the optional `@nestjs/terminus`.
 */
export type ConsulHealthIndicatorResult = Record<
  string,
  { status: 'up' | 'down'; [detail: string]: unknown }
>;

/** Options of {@link ConsulHealthIndicator.isHealthy}. */
export interface ConsulHealthIndicatorOptions {
  /** How long the agent may take to answer. Default `'1s'`. */
  timeout?: Duration;
  /** Also require the `addCheck` functions to pass (a warning counts as up). Default false. */
  checks?: boolean;
}

/**
 * A `@nestjs/terminus` health indicator for Consul: the agent answers and knows a Raft leader,
 * and this app's registration has not failed for good. It returns Terminus' result shape (status
 * `down` marks a failure, which Terminus 11 reports as 503) and needs no import of
 * `@nestjs/terminus`, so the module works without that optional peer installed.
 *
 * @example
 * @Controller('ready')
 * class ReadyController {
 *   constructor(private health: HealthCheckService, private consul: ConsulHealthIndicator) {}
 *   @Get() @HealthCheck()
 *   check() { return this.health.check([() => this.consul.isHealthy('consul')]); }
 * }
 */
@Injectable()
export class ConsulHealthIndicator {
  constructor(@Inject(ConsulRuntime) private readonly runtime: ConsulRuntime) {}

  /** Probes the agent (bounded by `timeout`) and reports under `key` (default `'consul'`). */
  async isHealthy(
    key = 'consul',
    options: ConsulHealthIndicatorOptions = {},
  ): Promise<ConsulHealthIndicatorResult> {
    const timeoutMs = toMillis(options.timeout ?? '1s', 'timeout');
    const details: Record<string, unknown> = {};
    const registration = this.runtime.lifecycle.registration;
    if (registration) {
      details.registration = {
        id: registration.id,
        state: registration.status,
        maintenance: registration.maintenanceEnabled,
      };
    }
    const down = (message: string) => ({ [key]: { status: 'down' as const, message, ...details } });
    try {
      const leader = await this.runtime.client.status.leader({
        timeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (leader === '') return down(AGENT_WITHOUT_LEADER);
      details.leader = leader;
    } catch (err) {
      return down(agentUnreachable(err));
    }
    if (registration?.status === 'failed') return down(REGISTRATION_REFUSED);
    if (options.checks) {
      const summary = await this.runtime.checks.run();
      details.checks = summary.checks;
      if (summary.status === 'critical') return down(CHECK_CRITICAL);
    }
    return { [key]: { status: 'up', ...details } };
  }
}
