// The public API of @consulkit/core: what an application imports. Every name here is a semver
// promise, listed in the README ("What is public") and pinned by test/public-api.test.ts. The kit
// the framework adapters share lives at `@consulkit/core/adapter`; everything else is internal.

// The client, its options and its logger.
export { Consul } from './consul';
export type {
  ConsulOptions,
  ConsulTlsOptions,
  ConsulRetryOptions,
  ResolvedConsulConfig,
  ResolvedEndpoint,
} from './client-options';
export { defaultLogger, silentLogger } from './logger';
export type { ConsulLogger } from './logger';
export type { Duration } from './duration';
export type { CallOptions, WriteOptions, QueryOptions, QueryMeta, WithMeta } from './query';

// Errors: one class per meaning, each with a stable `code`.
export {
  ConsulError,
  ConsulOptionError,
  ConsulAclError,
  ConsulNotFoundError,
  ConsulConflictError,
  ConsulRateLimitError,
  ConsulUnavailableError,
  ConsulTimeoutError,
  ConsulAbortedError,
  ConsulBadRequestError,
  ConsulProtocolError,
  ConsulTlsError,
  ConsulClosedError,
  ConsulNoInstanceError,
} from './errors';
export type { ConsulErrorCode, ConsulRequestInfo, ConsulErrorOptions } from './errors';
// Its old name, kept as an alias of the same class (instanceof and catch clauses keep working):
// "config" also meant the KV config store (`ConsulConfigParseError`), so a bad option is now a
// ConsulOptionError. Its code stays `CONSUL_CONFIG`.
export { ConsulConfigError } from './errors';
export { ConsulLockError } from './coordination/errors';
export type { ConsulLockErrorReason } from './coordination/errors';
export { ConsulSessionExpiredError } from './endpoints/session';
export { ConsulConfigParseError, ConsulConfigValidationError } from './config-store/errors';
export type { ConfigIssue } from './config-store/errors';

// Endpoint groups, reached as the client's properties (`consul.kv`, `consul.agent`, ...).
export type { KvApi } from './endpoints/kv';
export { KV_MAX_VALUE_SIZE } from './endpoints/kv';
export type { KvEntry, KvPutOptions, KvDeleteOptions, KvKeysOptions } from './endpoints/kv';
export type { AgentApi } from './endpoints/agent';
export type { AgentSelf, AgentMember, AgentMembersOptions, ConsulVersion } from './endpoints/agent';
export type { AgentChecksApi } from './endpoints/agent-check';
export type {
  AgentServiceApi,
  AgentServiceReadOptions,
  ServiceRegisterOptions,
  AgentHealthStatus,
  AgentServiceHealth,
  AgentServicesHealth,
} from './endpoints/agent-service';
export type { CatalogApi, CatalogServiceOptions, CatalogNodeServices } from './endpoints/catalog';
export type { HealthApi, HealthServiceOptions, HealthStateFilter } from './endpoints/health';
export type { SessionGroup } from './coordination/session-group';
export {
  SESSION_TTL_MIN_MS,
  SESSION_TTL_MAX_MS,
  SESSION_MAX_LOCK_DELAY_MS,
} from './endpoints/session';
export type {
  SessionApi,
  SessionEntry,
  SessionCreateOptions,
  SessionBehavior,
} from './endpoints/session';
export type { StatusApi } from './endpoints/status';
export type { EventApi, UserEvent, EventFireOptions, EventListOptions } from './endpoints/event';
export type {
  PreparedQueryApi,
  PreparedQueryDefinition,
  PreparedQueryService,
  PreparedQueryEntry,
  PreparedQueryExecuteOptions,
  PreparedQueryResult,
} from './endpoints/prepared-query';
export { TXN_MAX_OPS } from './endpoints/txn';
export type { TxnApi, TxnOp, TxnKvOp, TxnValue, TxnOptions, TxnResult } from './endpoints/txn';

import { type KvApi as KvApiClass } from './endpoints/kv';
import { type AgentApi as AgentApiClass } from './endpoints/agent';
import { type AgentChecksApi as AgentChecksApiClass } from './endpoints/agent-check';
import { type CatalogApi as CatalogApiClass } from './endpoints/catalog';
import { type HealthApi as HealthApiClass } from './endpoints/health';
import { type SessionApi as SessionApiClass } from './endpoints/session';
import { type StatusApi as StatusApiClass } from './endpoints/status';
import { type EventApi as EventApiClass } from './endpoints/event';
import { type PreparedQueryApi as PreparedQueryApiClass } from './endpoints/prepared-query';
import { type TxnApi as TxnApiClass } from './endpoints/txn';

// Old names of the endpoint classes, kept as aliases: `Agent` and `Event` shadowed undici's `Agent`
// and the global `Event`, so every endpoint class is now named `…Api`.
/** @deprecated Renamed {@link KvApi}; this alias goes in the next major. */
export type Kv = KvApiClass;
/** @deprecated Renamed {@link AgentApi}; this alias goes in the next major. */
export type Agent = AgentApiClass;
/** @deprecated Renamed {@link AgentChecksApi}; this alias goes in the next major. */
export type AgentChecks = AgentChecksApiClass;
/** @deprecated Renamed {@link CatalogApi}; this alias goes in the next major. */
export type Catalog = CatalogApiClass;
/** @deprecated Renamed {@link HealthApi}; this alias goes in the next major. */
export type Health = HealthApiClass;
/** @deprecated Renamed {@link SessionApi}; this alias goes in the next major. */
export type Session = SessionApiClass;
/** @deprecated Renamed {@link StatusApi}; this alias goes in the next major. */
export type Status = StatusApiClass;
/** @deprecated Renamed {@link EventApi}; this alias goes in the next major. */
export type Event = EventApiClass;
/** @deprecated Renamed {@link PreparedQueryApi}; this alias goes in the next major. */
export type PreparedQuery = PreparedQueryApiClass;
/** @deprecated Renamed {@link TxnApi}; this alias goes in the next major. */
export type Txn = TxnApiClass;

// What the endpoints answer.
export { aggregateStatus } from './models/check';
export type { HealthCheck, HealthStatus } from './models/check';
export type { CatalogNode } from './models/node';
export type { AgentService, ServiceWeights, ServiceAddress } from './models/service';
export { entryAddress } from './models/service-entry';
export type { ServiceEntry } from './models/service-entry';
export type { ServiceDefinition } from './models/service-definition';
export type { CheckDefinition, CheckRegistration } from './models/check-definition';
export type { CatalogService } from './models/catalog-service';
export type {
  CatalogRegistration,
  CatalogDeregistration,
  CatalogServiceInput,
  CatalogCheckInput,
} from './models/catalog-registration';

// Recipe: watches.
export { Watch, WatchHub } from './watch';
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

// Recipe: registration.
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

// Recipe: discovery, balancers and the discovery-backed HTTP client.
export { Discovery } from './discovery/discovery';
export type {
  DiscoveryServiceOptions,
  ConsulHttpOptions,
  ConsulInterceptorOptions,
} from './discovery/discovery';
export { ServiceCache } from './discovery/service-cache';
export type { ServiceCacheEvents } from './discovery/service-cache';
export type {
  ServiceInstance,
  InstanceSource,
  InstanceStatus,
  InstanceWeights,
  InstanceChangeListener,
} from './models/service-instance';
export { createStaticSource } from './discovery/static-source';
export type { StaticInstanceSource, StaticInstanceInput } from './discovery/static-source';
export { createDnsSource } from './discovery/dns-source';
export type { DnsInstanceSource, DnsSourceOptions } from './discovery/dns-source';
export {
  roundRobin,
  random,
  weighted,
  leastRequests,
  p2c,
  consistentHash,
  eligible,
} from './balancers';
export type {
  RandomOptions,
  P2cOptions,
  ConsistentHashOptions,
  HashKeyFn,
  Balancer,
  BalancerRequest,
  CallOutcome,
  PickContext,
} from './balancers';
export { ServiceClient } from './http/service-client';
export type { ServiceRequestOptions, ServiceCallOptions } from './http/service-client';
export { createDiscoveryInterceptor } from './http/interceptor';
export type { DiscoveryInterceptor, DiscoveryInterceptorOptions } from './http/interceptor';
export { defaultServiceMatch, parseServiceHost, type ServiceTarget } from './http/host-match';
export type {
  ServiceClientOptions,
  EjectionOptions,
  ServiceTlsOptions,
} from './http/service-client-options';

// Recipe: KV configuration.
export { ConfigStore } from './config-store/store';
export type { ConfigStoreClient, ConfigStoreEvents, ConfigKeyListener } from './config-store/store';
export type { ConfigStoreOptions, ConfigKeyOptions } from './config-store/store-options';
export { PARSE_MODES } from './config-store/parse';
export type { ParseMode, BuiltinParseMode, ParseFunction, ParsedValue } from './config-store/parse';
export type { ConfigSnapshot, ConfigChange } from './config-store/snapshot';
export type { StandardSchemaV1, ConfigSchema, ConfigSchemaFunction } from './config-store/schema';

// Recipe: sessions, locks, semaphores and leader election.
export { ManagedSession } from './coordination/managed-session';
export type { ManagedSessionOptions, ManagedSessionEvents } from './coordination/managed-session';
export { Lock } from './coordination/lock';
export type { LockOptions, HeldLock } from './coordination/lock';
export type { AcquireOptions } from './coordination/signals';
export { Semaphore } from './coordination/semaphore';
export type { SemaphoreOptions, HeldSemaphore } from './coordination/semaphore';
export { LeaderElection } from './coordination/leader';
export type { LeaderOptions, LeaderEvents, LeaderInfo } from './coordination/leader';
export { LIVENESS_SERVICE_NAME } from './coordination/liveness-check';

// Observability: diagnostics_channel names and what is published on them.
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
