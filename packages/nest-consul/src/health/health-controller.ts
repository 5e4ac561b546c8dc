import { HEALTH_HTTP_STATUS, type HealthSummary } from '@consulkit/core/adapter';
import { Controller, Get, Inject, Res, type Type, VERSION_NEUTRAL } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ConsulRuntime } from '../internal/consul-runtime';

/** Body of the health route. */
export interface ConsulHealthBody extends HealthSummary {
  /** Registered service name, when the app registers one. */
  service?: string;
}

/**
 * A controller answering `GET <path>` with the verdict of the `addCheck` functions: 200 passing,
 * 429 warning, 503 critical, JSON body listing each check. It is what Consul's HTTP check polls.
 * One class per module definition, because Nest reads a controller's path from class metadata.
 * Version-neutral, so URI versioning does not move it; `setGlobalPrefix` does apply.
 */
export function createHealthController(path: string): Type<unknown> {
  @Controller({ path, version: VERSION_NEUTRAL })
  class ConsulHealthController {
    constructor(
      @Inject(ConsulRuntime) private readonly runtime: ConsulRuntime,
      @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    ) {}

    @Get()
    async check(@Res() response: unknown): Promise<void> {
      const summary = await this.runtime.checks.run();
      const service = this.runtime.options.service;
      const body: ConsulHealthBody = service ? { service: service.name, ...summary } : summary;
      // Through the adapter, so the same code answers on Express and on Fastify. Never cached: a
      // stale "passing" from a proxy would defeat the check.
      const adapter = this.adapterHost.httpAdapter;
      adapter.setHeader(response, 'Cache-Control', 'no-store');
      adapter.reply(response, body, HEALTH_HTTP_STATUS[summary.status]);
    }
  }
  return ConsulHealthController;
}
