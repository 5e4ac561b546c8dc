// `@consulkit/core/adapter`: the kit the framework adapters (@consulkit/fastify, @consulkit/nest)
// share to map a framework's lifecycle onto core. An application imports `@consulkit/core`; this
// entry is for adapter authors. Every name here is a semver promise, pinned by
// test/public-api.test.ts and listed in the README.

export { ServiceLifecycle } from './service/lifecycle';
export type { ServiceLifecycleSettings, BoundAddress } from './service/lifecycle';
export { ResourceScope } from './service/resource-scope';
export type {
  ResourceScopeOptions,
  ResourceScopeCloseOptions,
  ScopeCloser,
} from './service/resource-scope';
export { normaliseServiceOptions, isRoutePath } from './service/options';
export type {
  ManagedServiceOptions,
  ManagedServiceCheckOptions,
  ServiceLifecycleOptions,
  ResolvedServiceLifecycleOptions,
  ConsulClientSource,
  NormaliseServiceOptionsSettings,
} from './service/options';
export { buildServiceDefinition, serviceRegistrationOptions } from './service/definition';
export type { ServiceDefinitionContext } from './service/definition';
export { HealthCheckRegistry, summaryOutput, HEALTH_HTTP_STATUS } from './service/health-checks';
export type {
  HealthCheckFunction,
  HealthCheckResult,
  HealthSummary,
} from './service/health-checks';
export { prefixConfigError } from './service/prefix-option';
export { openClient } from './service/client';
export { isParseMode } from './config/parse';
export { parseGoDuration, toMillis, formatGoDuration } from './duration';
