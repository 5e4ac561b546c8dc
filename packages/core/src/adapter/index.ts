// `@consulkit/core/adapter`: the kit the framework adapters (@consulkit/fastify, @consulkit/nest)
// share to map a framework's lifecycle onto core. An application imports `@consulkit/core`; this
// entry is for adapter authors. Every name here is a semver promise, pinned by
// test/public-api.test.ts and listed in the README.

export { ServiceLifecycle } from './lifecycle';
export { createAppApi } from './app-api';
export type { ConsulAppApi } from './app-api';
export type { ServiceLifecycleSettings, BoundAddress } from './lifecycle';
export { ResourceScope } from './resource-scope';
export type {
  ResourceScopeOptions,
  ResourceScopeCloseOptions,
  ScopeCloser,
} from './resource-scope';
export { resolveServiceOptions, isRoutePath } from './service-options';
export type {
  ManagedServiceOptions,
  ManagedServiceCheckOptions,
  ServiceLifecycleOptions,
  ResolvedServiceLifecycleOptions,
  ConsulClientSource,
  ResolveServiceOptionsSettings,
} from './service-options';
export { buildServiceDefinition, serviceRegistrationOptions } from './definition-builder';
export type { ServiceDefinitionContext } from './definition-builder';
export { HealthCheckRegistry, summaryOutput, HEALTH_HTTP_STATUS } from './health-checks';
export type { HealthCheckFunction, HealthCheckResult, HealthSummary } from './health-checks';
export { prefixConfigError } from './prefix-option';
export { openClient } from './client';
export { isParseMode } from '../config-store/parse';
export { parseGoDuration, toMillis, formatGoDuration } from '../duration';

/** @deprecated Renamed {@link resolveServiceOptions}; this alias goes in the next major. */
export { resolveServiceOptions as normaliseServiceOptions } from './service-options';
/** @deprecated Renamed {@link ResolveServiceOptionsSettings}; this alias goes in the next major. */
export type { ResolveServiceOptionsSettings as NormaliseServiceOptionsSettings } from './service-options';
