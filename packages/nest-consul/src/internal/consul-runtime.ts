import { type Consul } from '@consulkit/core';
import {
  type ConsulAppApi,
  createAppApi,
  type HealthCheckRegistry,
  type ResourceScope,
  ServiceLifecycle,
} from '@consulkit/core/adapter';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APPLICATION_SHUT_DOWN } from '../consul.messages';
import { CONSUL_CLIENT, CONSUL_RESOLVED_OPTIONS } from '../consul.tokens';
import { type ResolvedConsulOptions } from '../options/resolve-module-options';
import { LOG_CONTEXT, nestConsulLogger } from './nest-logger';

/**
 * The per-app state shared by the module's providers: the client, the resolved options, and
 * core's `ServiceLifecycle` (health checks, the recipes to close, the service registration).
 * Internal: users reach it through `ConsulService`.
 */
@Injectable()
export class ConsulRuntime {
  readonly lifecycle: ServiceLifecycle;
  /** Core's app API over the lifecycle, which `ConsulService` delegates to (as Fastify decorates it). */
  readonly api: ConsulAppApi;
  readonly logger = new Logger(LOG_CONTEXT);

  constructor(
    @Inject(CONSUL_RESOLVED_OPTIONS) readonly options: ResolvedConsulOptions,
    @Inject(CONSUL_CLIENT) readonly client: Consul,
  ) {
    this.lifecycle = new ServiceLifecycle({
      options,
      client,
      logger: nestConsulLogger(this.logger),
      source: '@consulkit/nest',
      addCheck: 'ConsulService.addCheck',
      closeReason: APPLICATION_SHUT_DOWN,
    });
    this.api = createAppApi(this.lifecycle);
  }

  /** The app's check functions (health controller, TTL heartbeat, Terminus indicator). */
  get checks(): HealthCheckRegistry {
    return this.lifecycle.checks;
  }

  /** What the module created for the app, ended on shutdown. */
  get scope(): ResourceScope {
    return this.lifecycle.scope;
  }
}
