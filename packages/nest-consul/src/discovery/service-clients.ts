import { isDeepStrictEqual } from 'node:util';
import { ConsulOptionError, type ConsulHttpOptions, type ServiceClient } from '@consulkit/core';
import { prefixConfigError } from '@consulkit/core/adapter';
import { Inject, Injectable } from '@nestjs/common';
import { PROPERTY_DEPS_METADATA, SELF_DECLARED_DEPS_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { featureOptionsConflict } from '../consul.messages';
import { CONSUL_FEATURE_SERVICES } from '../consul.tokens';
import { ConsulRuntime } from '../internal/consul-runtime';
import { type FeatureService } from './feature-options';
import { type ServiceClientDeclaration } from './service-client.declarations';

/** Nest's instance wrapper and module, named through a public API (their module paths are internal). */
type NestModule = ReturnType<ModulesContainer['values']> extends Iterable<infer M> ? M : never;
type InstanceWrapper = NestModule['providers'] extends Map<unknown, infer W> ? W : never;

/**
 * The service clients of one app. The client of a service (token `getServiceClientToken(name)`)
 * is one per app, cached by its `ResourceScope`, built with the options the app's
 * `ConsulModule.forFeature()` modules declare for it — whichever provider of the token Nest
 * happens to instantiate first (a feature module's, or the root's for `@InjectServiceClient`
 * without `forFeature`), so they all get the same client. Everything here is read from this app's
 * own module graph: two apps in one process share no client, no cache and no feature options.
 */
@Injectable()
export class ConsulServiceClients {
  private features: Map<string, FeatureService> | undefined;
  private dependencies: Set<unknown> | undefined;

  constructor(
    @Inject(ConsulRuntime) private readonly runtime: ConsulRuntime,
    @Inject(ModulesContainer) private readonly modules: ModulesContainer,
  ) {}

  /**
   * The app's client of `service`, with the options of its `forFeature` declaration (else core's
   * defaults). `options`, when given (`ConsulService.service(name, options)`), must agree with
   * them: clients are cached per name.
   */
  client(service: string, options?: ConsulHttpOptions): ServiceClient {
    const feature = this.featureServices().get(service);
    if (options !== undefined || feature === undefined) {
      return this.runtime.scope.service(service, options);
    }
    try {
      return this.runtime.scope.service(service, feature.options);
    } catch (err) {
      throw prefixConfigError(err, feature.label);
    }
  }

  /**
   * The client of one `@InjectServiceClient` declaration, or `null` when nothing in this app
   * injects its token (a declaration made elsewhere in the process; the client would start a
   * watch for nothing).
   */
  declared(declaration: ServiceClientDeclaration): ServiceClient | null {
    if (!this.injected(declaration.token)) return null;
    try {
      // Without options: the app's client of the service; with options: one of its own.
      if (declaration.options === undefined) return this.client(declaration.service);
      return this.runtime.scope.http(declaration.service, declaration.options);
    } catch (err) {
      throw prefixConfigError(err, `@InjectServiceClient("${declaration.service}")`);
    }
  }

  /** The services the app's `forFeature` modules declare; conflicting options throw, naming them. */
  private featureServices(): Map<string, FeatureService> {
    if (this.features) return this.features;
    const features = new Map<string, FeatureService>();
    for (const module of this.modules.values()) {
      const declared = module.providers.get(CONSUL_FEATURE_SERVICES)?.instance as
        readonly FeatureService[] | undefined;
      for (const feature of declared ?? []) {
        const seen = features.get(feature.service);
        if (!seen) features.set(feature.service, feature);
        else if (!isDeepStrictEqual(seen.options ?? {}, feature.options ?? {})) {
          throw new ConsulOptionError(
            `${feature.label}.options`,
            featureOptionsConflict(feature.service, `${seen.label}.options`),
            feature.options,
          );
        }
      }
    }
    this.features = features;
    return features;
  }

  /** Whether a provider, controller or enhancer of the app declares `token` as a dependency. */
  private injected(token: string): boolean {
    if (!this.dependencies) {
      const dependencies = new Set<unknown>();
      for (const module of this.modules.values()) {
        for (const collection of [module.providers, module.controllers, module.injectables]) {
          for (const wrapper of collection.values()) {
            for (const dependency of declaredDependencies(wrapper)) dependencies.add(dependency);
          }
        }
      }
      this.dependencies = dependencies;
    }
    return this.dependencies.has(token);
  }
}

/** The tokens a wrapper injects explicitly: a factory's `inject`, a class's `@Inject()`s. */
function declaredDependencies(wrapper: InstanceWrapper): unknown[] {
  if (wrapper.inject) {
    return wrapper.inject.map((d) =>
      typeof d === 'object' && d !== null && 'token' in d ? d.token : d,
    );
  }
  const type: unknown = wrapper.metatype;
  if (typeof type !== 'function') return [];
  // Read like Nest does, through the prototype chain: a subclass injects what its parent declared.
  const params = (Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, type) ?? []) as Array<{
    param: unknown;
  }>;
  const properties = (Reflect.getMetadata(PROPERTY_DEPS_METADATA, type) ?? []) as Array<{
    type: unknown;
  }>;
  return [...params.map((p) => p.param), ...properties.map((p) => p.type)];
}
