export { Consul } from './consul';
export { resolveConfig, parseAddress } from './config';
export type {
  ConsulOptions,
  ConsulTlsOptions,
  ConsulRetryOptions,
  ResolvedConsulConfig,
  ResolvedEndpoint,
} from './config';
export { defaultLogger, silentLogger } from './logger';
export type { ConsulLogger } from './logger';
export * from './errors';
export * from './coordination';
export { parseGoDuration, toMillis, formatGoDuration } from './duration';
export type { Duration } from './duration';
export type { CallOptions, WriteOptions, QueryOptions, QueryMeta, WithMeta } from './query';
export { Transport, parseMeta } from './transport';
export type { ConsulRequest, ConsulResponse, QueryValue } from './transport';
export { Kv, KV_MAX_VALUE_SIZE, kvEntryFromWire } from './endpoints/kv';
export type {
  KvEntry,
  KvPutOptions,
  KvDeleteOptions,
  KvKeysOptions,
  KvWireEntry,
} from './endpoints/kv';
export { effectiveWeight, instanceOrigin } from './discovery/instance';
export type {
  ServiceInstance,
  InstanceSource,
  InstanceStatus,
  InstanceWeights,
  InstanceChangeListener,
} from './discovery/instance';
export { createStaticSource } from './discovery/static-source';
export type { StaticInstanceSource, StaticInstanceInput } from './discovery/static-source';
export * from './balancers';
export { ServiceClient } from './http/service-client';
export type { ServiceRequestOptions, ServiceCallOptions } from './http/service-client';
export { createDiscoveryInterceptor } from './http/interceptor';
export type { DiscoveryInterceptor, DiscoveryInterceptorOptions } from './http/interceptor';
export { defaultServiceMatch } from './http/host-match';
export { resolveServiceClientOptions } from './http/options';
export type {
  ServiceClientOptions,
  EjectionOptions,
  ServiceTlsOptions,
  ResolvedServiceClientOptions,
} from './http/options';
export { DIAGNOSTIC_CHANNELS } from './diagnostics';
export type {
  DiagnosticInstance,
  HttpRetryMessage,
  HttpEjectMessage,
  HttpReadmitMessage,
  HttpNoInstanceMessage,
  RegistrationMessage,
  DiscoveryChangeMessage,
} from './diagnostics';
export { Agent, parseConsulVersion } from './endpoints/agent';
export type { AgentSelf, AgentMember, AgentMembersOptions, ConsulVersion } from './endpoints/agent';
export { AgentChecks, isUnknownCheckError } from './endpoints/agent-check';
export type {
  AgentServiceApi,
  AgentServiceReadOptions,
  ServiceRegisterOptions,
  AgentHealthStatus,
  AgentServiceHealth,
  AgentServicesHealth,
} from './endpoints/agent-service';
export { aggregateStatus } from './models/check';
export type { HealthCheck, HealthStatus } from './models/check';
export type { CatalogNode } from './models/node';
export type { AgentService, ServiceWeights, ServiceAddress } from './models/service';
export { entryAddress } from './models/service-entry';
export type { ServiceEntry } from './models/service-entry';
export { serviceDefinitionToWire } from './models/service-definition';
export type { ServiceDefinition } from './models/service-definition';
export type { CheckDefinition, CheckRegistration } from './models/check-definition';
export { Catalog } from './endpoints/catalog';
export type { CatalogServiceOptions, CatalogNodeServices } from './endpoints/catalog';
export type { CatalogService } from './models/catalog-service';
export type {
  CatalogRegistration,
  CatalogDeregistration,
  CatalogServiceInput,
  CatalogCheckInput,
} from './models/catalog-registration';
export { Health } from './endpoints/health';
export type { HealthServiceOptions, HealthStateFilter } from './endpoints/health';
export {
  Session,
  ConsulSessionExpiredError,
  SESSION_TTL_MIN_MS,
  SESSION_TTL_MAX_MS,
  SESSION_MAX_LOCK_DELAY_MS,
} from './endpoints/session';
export type { SessionEntry, SessionCreateOptions, SessionBehavior } from './endpoints/session';
export { Status } from './endpoints/status';
export { Event } from './endpoints/event';
export type { UserEvent, EventFireOptions, EventListOptions } from './endpoints/event';
export { PreparedQuery } from './endpoints/prepared-query';
export type {
  PreparedQueryDefinition,
  PreparedQueryService,
  PreparedQueryEntry,
  PreparedQueryExecuteOptions,
  PreparedQueryResult,
} from './endpoints/prepared-query';
export { Txn, TXN_MAX_OPS } from './endpoints/txn';
export type { TxnOp, TxnKvOp, TxnValue, TxnOptions, TxnResult } from './endpoints/txn';
export { ConfigStore } from './config/store';
export type { ConfigStoreClient, ConfigStoreEvents, ConfigKeyListener } from './config/store';
export type { ConfigStoreOptions, ConfigKeyOptions } from './config/options';
export { parseValue, modeForKey, isParseMode, PARSE_MODES } from './config/parse';
export type { ParseMode, BuiltinParseMode, ParseFunction, ParsedValue } from './config/parse';
export { ConsulConfigParseError, ConsulConfigValidationError } from './config/errors';
export type { ConfigIssue } from './config/errors';
export type { ConfigSnapshot, ConfigChange } from './config/snapshot';
export { isStandardSchema } from './config/schema';
export type { StandardSchemaV1, ConfigSchema, ConfigSchemaFunction } from './config/schema';
export { Watch, WatchHub, deepEqual } from './watch';
export type {
  WatchEvents,
  WatchQuery,
  WatchQueryFn,
  WatchOptions,
  WatchLoopOptions,
  WatchSubscriberOptions,
  WatchErrorInfo,
  WatchStats,
  WatchHubSources,
  WatchReadOptions,
  WatchKeyOptions,
  WatchPrefixOptions,
  WatchServiceOptions,
  ServiceWatchValue,
} from './watch';
export { Registration } from './registration/registration';
export type {
  RegistrationDefinition,
  RegistrationCheck,
  RegistrationOptions,
  RegistrationState,
  RegistrationEvent,
  RegistrationEventMap,
  ReregisterReason,
  DeregisterOptions,
  HealthFunction,
  HealthReport,
} from './registration/types';
export {
  planRegistration,
  DEFAULT_DEREGISTER_AFTER,
  DEFAULT_TTL,
  MIN_CHECK_INTERVAL_MS,
  MIN_DEREGISTER_AFTER_MS,
} from './registration/definition';
export type { RegistrationPlan, PlannedCheck, CheckKind } from './registration/definition';
export {
  detectAddress,
  resolveServiceAddress,
  isWildcardAddress,
  generateServiceId,
} from './registration/identity';
export { Discovery, resolveDiscoveryOptions } from './discovery/discovery';
export type {
  DiscoveryServiceOptions,
  ConsulHttpOptions,
  ConsulInterceptorOptions,
} from './discovery/discovery';
export {
  ServiceCache,
  instancesFromEntries,
  instanceSetSignature,
} from './discovery/service-cache';
export type { ServiceCacheEvents } from './discovery/service-cache';
export * from './service';
