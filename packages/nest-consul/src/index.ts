export { ConsulModule } from './consul.module';
export { CONSUL_OPTIONS_TYPE, CONSUL_ASYNC_OPTIONS_TYPE } from './consul.module-definition';
export { ConsulService } from './consul.service';
export { CONSUL_CLIENT, CONSUL_MODULE_OPTIONS, getServiceClientToken } from './consul.tokens';
export type {
  ConsulModuleOptions,
  ConsulModuleExtras,
  ConsulServiceOptions,
  ConsulCheckOptions,
} from './interfaces/consul-module-options.interface';
export { ConsulConfig, OnConsulConfigChange } from './config/consul-config.decorator';
export type {
  ConsulConfigOptions,
  ConsulConfigParse,
  ConsulConfigChangeEvent,
  OnConsulConfigChangeOptions,
} from './config/consul-config.decorator';
export { ConsulConfigKeyMissingError } from './config/errors';
export { InjectServiceClient } from './discovery/inject-service-client.decorator';
export type { ConsulFeatureOptions, ConsulFeatureService } from './discovery/feature-options';
export { LeaderOnly } from './coordination/leader-only.decorator';
export { WithLock } from './coordination/with-lock.decorator';
export { Lease } from './coordination/lease.decorator';
export type { CoordinationLease } from './coordination/lease';
export type { WithLockOptions } from './coordination/coordination.metadata';
export { ConsulHealthIndicator } from './health/consul.health-indicator';
export type {
  ConsulHealthIndicatorResult,
  ConsulHealthIndicatorOptions,
} from './health/consul.health-indicator';
// The app's check functions are core's (`HealthCheckRegistry`), under the module's names.
export type {
  HealthCheckFunction as ConsulCheckFunction,
  HealthCheckResult as ConsulCheckResult,
  HealthSummary as ConsulHealthSummary,
} from '@consulkit/core/adapter';
export type { HealthReport as ConsulCheckReport } from '@consulkit/core';
export type { ConsulHealthBody } from './health/health-controller';
