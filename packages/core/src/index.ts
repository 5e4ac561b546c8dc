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
export { Agent } from './endpoints/agent';
export { Catalog } from './endpoints/catalog';
export { Health } from './endpoints/health';
export { Session } from './endpoints/session';
export { Status } from './endpoints/status';
export { Event } from './endpoints/event';
export { PreparedQuery } from './endpoints/prepared-query';
export { Txn } from './endpoints/txn';
