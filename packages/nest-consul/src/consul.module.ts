import { type Consul } from '@consulkit/core';
import { openClient } from '@consulkit/core/adapter';
import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConsulConfigRegistry } from './config/consul-config.registry';
import { ConsulExplorer } from './consul.explorer';
import { ConsulLifecycle } from './consul.lifecycle';
import { ConsulMetadataAccessor } from './consul-metadata.accessor';
import { ConsulConfigurableModule } from './consul.module-definition';
import { ConsulService } from './consul.service';
import {
  CONSUL_CLIENT,
  CONSUL_HEALTH_ROUTE,
  CONSUL_MODULE_OPTIONS,
  CONSUL_RESOLVED_OPTIONS,
} from './consul.tokens';
import { ConsulCoordinator } from './coordination/consul-coordinator';
import { ConsulFeatureModule } from './discovery/consul-feature.module';
import { type ConsulFeatureOptions } from './discovery/feature-options';
import { ConsulServiceClients } from './discovery/service-clients';
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
 * both take the extras `isGlobal` and `healthRoute`. Feature modules declare the service clients
 * they inject with `forFeature({ services })`.
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
    ConsulServiceClients,
    ConsulService,
    ConsulHealthIndicator,
    ConsulMetadataAccessor,
    ConsulConfigRegistry,
    ConsulCoordinator,
    ConsulExplorer,
    ConsulLifecycle,
  ],
  // ConsulServiceClients is internal: exported for the providers of `forFeature` modules.
  exports: [ConsulService, CONSUL_CLIENT, ConsulHealthIndicator, ConsulServiceClients],
})
export class ConsulModule extends ConsulConfigurableModule {
  /**
   * A module providing (and exporting) the app's client of each service listed, under
   * `getServiceClientToken(name)`: inject it with `@InjectServiceClient(name)` (or
   * `@Inject(getServiceClientToken(name))`). One client per service per app, shared with
   * `ConsulService.service(name)`, built with the options given here; every `forFeature` of the
   * app declaring a service must give it the same options. Needs `ConsulModule.forRoot` (or
   * `forRootAsync`) with `isGlobal: true`, as Nest's other `forFeature` modules do. A bad entry
   * throws a `ConsulOptionError` naming it (`ConsulModule.forFeature.services[0].name`).
   *
   * @example
   * @Module({
   *   imports: [ConsulModule.forFeature({ services: ['users', { name: 'billing', options: { retries: 0 } }] })],
   *   providers: [Orders], // constructor(@InjectServiceClient('users') users: ServiceClient)
   * })
   * class OrdersModule {}
   */
  static forFeature(options: ConsulFeatureOptions): DynamicModule {
    return ConsulFeatureModule.register(options);
  }
}
