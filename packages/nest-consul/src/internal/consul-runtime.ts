import { type Consul } from '@consulkit/core';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONSUL_CLIENT, CONSUL_RESOLVED_OPTIONS } from '../consul.constants';
import { CheckRegistry } from '../health/check-registry';
import { type ResolvedConsulOptions } from '../options/normalise-options';
import { ServiceLifecycle } from '../registration/service-lifecycle';
import { LOG_CONTEXT } from './nest-logger';
import { OwnedResources } from './resources';

/**
 * The per-app state shared by the module's providers: the client, the resolved options, the
 * health checks, the resources to close, and the service registration. Internal: users reach it
 * through `ConsulService`.
 */
@Injectable()
export class ConsulRuntime {
  readonly checks: CheckRegistry;
  readonly resources = new OwnedResources();
  readonly lifecycle: ServiceLifecycle | undefined;
  readonly logger = new Logger(LOG_CONTEXT);

  constructor(
    @Inject(CONSUL_RESOLVED_OPTIONS) readonly options: ResolvedConsulOptions,
    @Inject(CONSUL_CLIENT) readonly client: Consul,
  ) {
    this.checks = new CheckRegistry(options.checkTimeoutMs);
    this.lifecycle = options.service
      ? new ServiceLifecycle(
          client,
          {
            service: options.service,
            healthRoute: options.healthRoute,
            ttl: options.ttl,
            drainMs: options.drainMs,
            deregisterTimeoutMs: options.deregisterTimeoutMs,
          },
          this.checks,
          this.logger,
        )
      : undefined;
  }
}
