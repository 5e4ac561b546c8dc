import type { Dispatcher, Pool } from 'undici';
import { roundRobin } from '../balancers/round-robin';
import type { Balancer } from '../balancers/types';
import { type Duration, toTimerMillis } from '../duration';
import type { InstanceSource } from '../models/service-instance';
import { ConsulOptionError } from '../errors';
import { validateKnownOptions, optionKeys } from '../models/validate';

/** Passive outlier ejection: instances failing in a row are taken out for a while. */
export interface EjectionOptions {
  /** Consecutive connect errors / timeouts / 5xx before an instance is ejected. Default 3. */
  consecutiveFailures?: number;
  /** First ejection time; the n-th ejection in a row lasts `n × base` (capped). Default `'10s'`. */
  baseEjectionTime?: Duration;
  /** Longest ejection. Default `'2m'`. */
  maxEjectionTime?: Duration;
  /** Never eject more than this share of the instances (0-100). Default 50. */
  maxEjectedPercent?: number;
}

/** TLS settings for instances dialled over HTTPS (`meta.scheme = 'https'`). */
export interface ServiceTlsOptions {
  /** CA certificate(s) (PEM) to verify instances; default Node's CAs. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Client certificate (PEM) for mutual TLS. */
  cert?: string | Buffer;
  /** Client key (PEM) for mutual TLS. */
  key?: string | Buffer;
  /** Name verified against the instance certificate (SNI); default the dialled host. */
  servername?: string;
  /** Verify instance certificates. Default `true`. */
  rejectUnauthorized?: boolean;
}

/** Options of a {@link ServiceClient}. */
export interface ServiceClientOptions {
  /** Strategy choosing the instance of each attempt. Default `roundRobin()`. One per client. */
  balancer?: Balancer;
  /** Extra attempts after the first, each on a different instance. Default 2. */
  retries?: number;
  /** Deadline of a whole call (all attempts and the response body); `0` disables it. Default `'10s'`. */
  timeout?: Duration;
  /** Also retry non-idempotent methods (POST, PATCH...) after the request may have been sent. Default `false`. */
  retryNonIdempotent?: boolean;
  /** HTTP statuses that count as a failed attempt and are retried. Default `[502, 503, 504]`. */
  retryStatuses?: readonly number[];
  /** Passive outlier ejection, or `false` to disable it. */
  ejection?: EjectionOptions | false;
  /** TLS for HTTPS instances. */
  tls?: ServiceTlsOptions;
  /** Maximum connections per instance. Default unlimited (undici's default). */
  connections?: number;
  /** Extra undici `Pool` options for each instance pool (`connect` is built from `tls`). */
  pool?: Omit<Pool.Options, 'connect' | 'connections'>;
  /** Build the dispatcher of an instance yourself (e.g. to add interceptors); replaces `pool`. */
  factory?: (origin: string) => Dispatcher;
  /** Call `source.close()` when the client closes (the client owns its source). Default `false`. */
  closeSource?: boolean;
  /**
   * Instances of other datacenters, in order of preference (`consul.discovery.service(name, { dc })`
   * each). A call goes to the first of them with an eligible instance when the source has none
   * (none passing, every one ejected, or every one already tried by a retry), and back to the
   * source as soon as it has one again. `closeSource` closes these too. Default none.
   * `consul.http(name, { failover: ['dc2'] })` builds them from datacenter names.
   */
  failover?: readonly InstanceSource[];
}

/** The option names of {@link ServiceClientOptions} (unknown ones are rejected). */
export const SERVICE_CLIENT_OPTION_KEYS = optionKeys<ServiceClientOptions>({
  balancer: true,
  retries: true,
  timeout: true,
  retryNonIdempotent: true,
  retryStatuses: true,
  ejection: true,
  tls: true,
  connections: true,
  pool: true,
  factory: true,
  closeSource: true,
  failover: true,
});
const EJECTION_OPTION_KEYS = optionKeys<EjectionOptions>({
  consecutiveFailures: true,
  baseEjectionTime: true,
  maxEjectionTime: true,
  maxEjectedPercent: true,
});
const TLS_OPTION_KEYS = optionKeys<ServiceTlsOptions>({
  ca: true,
  cert: true,
  key: true,
  servername: true,
  rejectUnauthorized: true,
});

/** Ejection settings after validation. */
export interface ResolvedEjection {
  consecutiveFailures: number;
  baseMs: number;
  maxMs: number;
  maxPercent: number;
}

/** {@link ServiceClientOptions} after validation, with defaults filled in. */
export interface ResolvedServiceClientOptions {
  /** The balancer (a fresh `roundRobin()` by default). */
  balancer: Balancer;
  /** Extra attempts after the first. */
  retries: number;
  /** Deadline of a call in ms; 0: none. */
  timeoutMs: number;
  /** Whether non-idempotent methods are retried after they may have been sent. */
  retryNonIdempotent: boolean;
  /** Statuses that count as a failed attempt. */
  retryStatuses: ReadonlySet<number>;
  /** Ejection settings; `undefined` when ejection is off. */
  ejection: ResolvedEjection | undefined;
  /** TLS for HTTPS instances. */
  tls: ServiceTlsOptions | undefined;
  /** Connections per instance; `undefined`: undici's default. */
  connections: number | undefined;
  /** Extra options of each instance pool. */
  pool: Omit<Pool.Options, 'connect' | 'connections'>;
  /** The user's dispatcher factory, replacing `pool`. */
  factory: ((origin: string) => Dispatcher) | undefined;
  /** Whether closing the client closes its source. */
  closeSource: boolean;
  /** Sources of the failover datacenters, in order (empty: no failover). */
  failover: readonly InstanceSource[];
}

/**
 * Validates client options (throwing {@link ConsulOptionError} naming the option, before any call)
 * and fills in defaults. Unknown keys, also in `ejection` and `tls`, are rejected (typos). `prefix`
 * is prepended to option names in errors.
 */
export function resolveServiceClientOptions(
  options: ServiceClientOptions = {},
  prefix = '',
): ResolvedServiceClientOptions {
  const name = (option: string) => `${prefix}${option}`;
  const path = prefix.replace(/\.$/, '');
  if (typeof options !== 'object' || options === null) {
    throw new ConsulOptionError(path || 'options', 'an object', options);
  }
  validateKnownOptions(options, SERVICE_CLIENT_OPTION_KEYS, path);
  if (options.tls !== undefined) {
    if (typeof options.tls !== 'object' || options.tls === null) {
      throw new ConsulOptionError(name('tls'), 'an object', options.tls);
    }
    validateKnownOptions(options.tls, TLS_OPTION_KEYS, name('tls'));
  }
  const balancer = options.balancer ?? roundRobin();
  if (typeof balancer !== 'object' || balancer === null || typeof balancer.pick !== 'function') {
    throw new ConsulOptionError(name('balancer'), 'a balancer (an object with pick())', balancer);
  }
  const retries = options.retries ?? 2;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new ConsulOptionError(name('retries'), 'a non-negative integer', retries);
  }
  const retryStatuses = options.retryStatuses ?? [502, 503, 504];
  if (
    !Array.isArray(retryStatuses) ||
    !retryStatuses.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)
  ) {
    throw new ConsulOptionError(name('retryStatuses'), 'an array of HTTP statuses', retryStatuses);
  }
  const connections = options.connections;
  if (connections !== undefined && (!Number.isInteger(connections) || connections < 1)) {
    throw new ConsulOptionError(name('connections'), 'a positive integer', connections);
  }
  if (options.factory !== undefined && typeof options.factory !== 'function') {
    throw new ConsulOptionError(
      name('factory'),
      'a function (origin) => Dispatcher',
      options.factory,
    );
  }
  const failover = options.failover ?? [];
  if (!Array.isArray(failover)) {
    throw new ConsulOptionError(name('failover'), 'an array of instance sources', failover);
  }
  failover.forEach((source: unknown, i) => {
    if (
      typeof source !== 'object' ||
      source === null ||
      typeof (source as InstanceSource).instances !== 'function'
    ) {
      throw new ConsulOptionError(name(`failover[${i}]`), 'an InstanceSource', source);
    }
  });
  return {
    balancer,
    retries,
    timeoutMs: toTimerMillis(options.timeout ?? '10s', name('timeout')),
    retryNonIdempotent: options.retryNonIdempotent ?? false,
    retryStatuses: new Set(retryStatuses),
    ejection:
      options.ejection === false ? undefined : resolveEjection(options.ejection, name('ejection')),
    tls: options.tls,
    connections,
    pool: options.pool ?? {},
    factory: options.factory,
    closeSource: options.closeSource ?? false,
    failover,
  };
}

/** Validates {@link EjectionOptions}; `option` is the dotted name used in errors. */
export function resolveEjection(
  options: EjectionOptions = {},
  option = 'ejection',
): ResolvedEjection {
  if (typeof options !== 'object' || options === null) {
    throw new ConsulOptionError(option, 'an object or false', options);
  }
  validateKnownOptions(options, EJECTION_OPTION_KEYS, option);
  const consecutiveFailures = options.consecutiveFailures ?? 3;
  if (!Number.isInteger(consecutiveFailures) || consecutiveFailures < 1) {
    throw new ConsulOptionError(
      `${option}.consecutiveFailures`,
      'a positive integer',
      consecutiveFailures,
    );
  }
  const baseMs = toTimerMillis(options.baseEjectionTime ?? '10s', `${option}.baseEjectionTime`);
  const maxMs = toTimerMillis(options.maxEjectionTime ?? '2m', `${option}.maxEjectionTime`);
  if (maxMs < baseMs) {
    throw new ConsulOptionError(
      `${option}.maxEjectionTime`,
      'a duration not shorter than baseEjectionTime',
      options.maxEjectionTime,
    );
  }
  const maxPercent = options.maxEjectedPercent ?? 50;
  if (typeof maxPercent !== 'number' || !(maxPercent >= 0 && maxPercent <= 100)) {
    throw new ConsulOptionError(`${option}.maxEjectedPercent`, 'a number 0-100', maxPercent);
  }
  return { consecutiveFailures, baseMs, maxMs, maxPercent };
}
