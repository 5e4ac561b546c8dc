export { normaliseServiceOptions, isRoutePath } from './options';
export type {
  ManagedServiceOptions,
  ManagedServiceCheckOptions,
  ServiceLifecycleOptions,
  ResolvedServiceLifecycleOptions,
  ConsulClientSource,
  NormaliseServiceOptionsSettings,
} from './options';
export { buildServiceDefinition, serviceRegistrationOptions } from './definition';
export type { ServiceDefinitionContext } from './definition';
export { HealthCheckRegistry, summaryOutput, HEALTH_HTTP_STATUS } from './health-checks';
export type { HealthCheckFunction, HealthCheckResult, HealthSummary } from './health-checks';
export { ResourceScope } from './resource-scope';
export type {
  ResourceScopeOptions,
  ResourceScopeCloseOptions,
  ScopeCloser,
} from './resource-scope';
export { ServiceLifecycle } from './lifecycle';
export type { ServiceLifecycleSettings, BoundAddress } from './lifecycle';
export { prefixConfigError } from './prefix-option';
export { openClient } from './client';
