import { prefixConfigError } from '@consulkit/core/adapter';
import { type FactoryProvider } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ConsulService } from '../consul.service';
import { ConsulRuntime } from '../internal/consul-runtime';
import { type ServiceClientSpec, serviceClientSpecs } from './service-client.registry';

/**
 * A provider per `@InjectServiceClient` declaration. The client is made only when a consumer
 * class is part of this app (several apps, or test modules, may share a process); otherwise the
 * provider resolves to `null`, which nothing injects.
 */
export function serviceClientProviders(): FactoryProvider[] {
  return serviceClientSpecs().map((spec) => ({
    provide: spec.token,
    inject: [ConsulService, ConsulRuntime, DiscoveryService],
    useFactory: (consul: ConsulService, runtime: ConsulRuntime, discovery: DiscoveryService) => {
      if (!usedIn(spec, discovery)) return null;
      try {
        // Without options: the app's cached client of the service (shared with
        // ConsulService.service(name)); with options: a client of the declaration's own.
        if (spec.options === undefined) return consul.service(spec.service);
        return runtime.scope.http(spec.service, spec.options);
      } catch (err) {
        throw prefixConfigError(err, `@InjectServiceClient("${spec.service}")`);
      }
    },
  }));
}

/** The tokens of {@link serviceClientProviders}, to export. */
export function serviceClientTokens(): string[] {
  return serviceClientSpecs().map((spec) => spec.token);
}

function usedIn(spec: ServiceClientSpec, discovery: DiscoveryService): boolean {
  const wrappers = [...discovery.getProviders(), ...discovery.getControllers()];
  return wrappers.some((w) => {
    // A subclass without its own constructor injects what its parent declared.
    for (let c = w.metatype as unknown; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
      if (spec.consumers.has(c)) return true;
    }
    return false;
  });
}
