import { type Consul } from '@consulkit/core';
import { openClient } from '@consulkit/core/adapter';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConsulConfigRegistry } from './config/consul-config.registry';
import { CONSUL_CLIENT, CONSUL_HEALTH_ROUTE, CONSUL_RESOLVED_OPTIONS } from './consul.constants';
import { ConsulExplorer } from './consul.explorer';
import { ConsulLifecycle } from './consul.lifecycle';
import { ConsulMetadataAccessor } from './consul-metadata.accessor';
import { CONSUL_MODULE_OPTIONS, ConsulConfigurableModule } from './consul.module-definition';
import { ConsulService } from './consul.service';
import { ConsulCoordinator } from './coordination/consul-coordinator';
import { ConsulHealthIndicator } from './health/consul.health-indicator';
import { ConsulRuntime } from './internal/consul-runtime';
import { nestConsulLogger } from './internal/nest-logger';
import { resolveModuleOptions, type ResolvedConsulOptions } from './options/resolve-module-options';

/** Creates the client from `consul` options (logging through Nest), or adopts `client`. */
function createClient(options: ResolvedConsulOptions): Consul {
  return openClient(options.client, nestConsulLogger());
}

/**
 * Consul for a Nest app (Express or Fastify platform): registers the service once the HTTP
 * server listens and deregisters it gracefully on shutdown, serves a health route, binds
 * `@ConsulConfig` properties to KV keys, injects discovery-backed clients
 * (`@InjectServiceClient`), and runs `@LeaderOnly` / `@WithLock` methods under Consul
 * coordination. Configure with `forRoot(options)` or `forRootAsync({ useFactory, inject })`;
 * both take the extras `isGlobal` and `healthRoute`.
 *
 * @example
 * @Module({
 *   imports: [ConsulModule.forRoot({ isGlobal: true, service: { name: 'web' }, drain: '2s' })],
 * })
 * class AppModule {}
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: CONSUL_RESOLVED_OPTIONS,
      inject: [CONSUL_MODULE_OPTIONS, CONSUL_HEALTH_ROUTE],
      // Validates the options: startup fails naming a bad one, before anything is sent.
      useFactory: resolveModuleOptions,
    },
    { provide: CONSUL_CLIENT, inject: [CONSUL_RESOLVED_OPTIONS], useFactory: createClient },
    ConsulRuntime,
    ConsulService,
    ConsulHealthIndicator,
    ConsulMetadataAccessor,
    ConsulConfigRegistry,
    ConsulCoordinator,
    ConsulExplorer,
    ConsulLifecycle,
  ],
  exports: [ConsulService, CONSUL_CLIENT, ConsulHealthIndicator],
})
export class ConsulModule extends ConsulConfigurableModule {}
