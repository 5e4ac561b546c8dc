import { type DynamicModule, Module } from '@nestjs/common';
import { getServiceClientToken } from '../consul.tokens';
import { type ConsulFeatureOptions, resolveFeatureOptions } from './feature-options';
import { featureClientProviders } from './service-client.providers';

/**
 * The module `ConsulModule.forFeature()` returns: a class of its own, so that a feature carries
 * only its client providers and never a second copy of `ConsulModule`'s runtime.
 */
@Module({})
export class ConsulFeatureModule {
  /** See `ConsulModule.forFeature`. */
  static register(options: ConsulFeatureOptions): DynamicModule {
    const services = resolveFeatureOptions(options);
    return {
      module: ConsulFeatureModule,
      providers: featureClientProviders(services),
      exports: [...new Set(services.map((s) => getServiceClientToken(s.service)))],
    };
  }
}
