import { isRoutePath } from '@consulkit/core/adapter';
import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { CONSUL_HEALTH_ROUTE, CONSUL_MODULE_OPTIONS } from './consul.tokens';
import {
  declaredClientProviders,
  declaredClientTokens,
} from './discovery/service-client.providers';
import { createHealthController } from './health/health-controller';
import {
  type ConsulModuleExtras,
  type ConsulModuleOptions,
} from './interfaces/consul-module-options.interface';

/**
 * Adds what depends on the extras and on the app's decorators to the generated definition: the
 * health controller at `healthRoute`, the module's scope, and one provider per
 * `@InjectServiceClient` declaration (for the decorator without `forFeature`). Providers and
 * exports are getters because Nest reads them when it scans the app, after every class (and so
 * every decorator) was defined — possibly after `forRoot()` itself ran.
 */
function consulModuleDefinition(
  definition: DynamicModule,
  extras: ConsulModuleExtras,
): DynamicModule {
  const route = extras.healthRoute === undefined ? '/health' : extras.healthRoute;
  const base: DynamicModule = {
    ...definition,
    global: extras.isGlobal ?? false,
    // An invalid path mounts nothing here; option validation then fails startup, naming it.
    controllers: isRoutePath(route) ? [createHealthController(route)] : [],
  };
  return Object.defineProperties(base, {
    providers: {
      enumerable: true,
      get: () => [
        ...(definition.providers ?? []),
        { provide: CONSUL_HEALTH_ROUTE, useValue: route },
        ...declaredClientProviders(),
      ],
    },
    exports: { enumerable: true, get: () => declaredClientTokens() },
  });
}

/**
 * What `ConfigurableModuleBuilder` generates for the module: the base class of `ConsulModule`
 * (`forRoot` / `forRootAsync`, `useClass` factories implementing `createConsulOptions()`), and
 * the types of `forRoot`'s argument (`typeof CONSUL_OPTIONS_TYPE`: options plus extras) and of
 * `forRootAsync`'s (`typeof CONSUL_ASYNC_OPTIONS_TYPE`), for wrapping the module in your own.
 */
export const {
  ConfigurableModuleClass: ConsulConfigurableModule,
  OPTIONS_TYPE: CONSUL_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CONSUL_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ConsulModuleOptions>({
  moduleName: 'Consul',
  optionsInjectionToken: CONSUL_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createConsulOptions')
  .setExtras<ConsulModuleExtras>(
    { isGlobal: false, healthRoute: '/health' },
    consulModuleDefinition,
  )
  .build();
