import {
  type Consul,
  ConsulConfigError,
  type ConsulOptions,
  type Duration,
  formatGoDuration,
  type RegistrationCheck,
  toMillis,
} from '@consulkit/core';

/** The HTTP check Consul runs against the plugin's health route. */
export interface FastifyConsulCheckOptions {
  /**
   * What Consul GETs: `true` (default) for the health route on the registered address and port, a
   * path on this server (`'/ready'`), or a full `http(s)://` URL.
   */
  http?: true | string;
  /** Probe period. Default `'10s'`. */
  interval?: Duration;
  /** Probe timeout. Default `'5s'`. */
  timeout?: Duration;
  /** Consul removes the instance after the check stayed critical this long. Default `'1m'`. */
  deregisterCriticalServiceAfter?: Duration;
}

/** The service this app registers. `address` and `port` default to those really bound by `listen`. */
export interface FastifyConsulServiceOptions {
  /** Service name consumers look up (letters, digits, `.`, `_`, `-`). */
  name: string;
  /** Instance ID. Default `name-host-port-<random>`. */
  id?: string;
  tags?: readonly string[];
  /** String metadata (`scheme: 'https'` makes consumers dial TLS). */
  meta?: Readonly<Record<string, string>>;
  /** Address consumers dial. Default: the bound address, or this host's first IPv4 on a wildcard bind. */
  address?: string;
  /** Port consumers dial. Default: the port `listen` bound (so `port: 0` works). */
  port?: number;
  /** Load-balancing weights (`warning: 0` sends no traffic to a warning instance). */
  weights?: { passing: number; warning?: number };
  /**
   * The HTTP check on the health route. Default: `{ http: true, interval: '10s' }` when
   * `healthRoute` is enabled; `false` for none.
   */
  check?: FastifyConsulCheckOptions | false;
  /** More checks, as `@consulkit/core` accepts them (`http: '/path'`, `tcp: true`, `ttl`...). */
  checks?: readonly RegistrationCheck[];
  /** Default `DeregisterCriticalServiceAfter` of every check. Default `'1m'`. */
  deregisterCriticalServiceAfter?: Duration;
}

/** Options of `app.register(fastifyConsul, options)`. */
export interface FastifyConsulOptions {
  /** Options of the `Consul` client the plugin creates (and closes). Exclusive with `client`. */
  consul?: ConsulOptions;
  /** An existing `Consul` client to adopt; the plugin never closes it. Exclusive with `consul`. */
  client?: Consul;
  /** The service to register on `listen`, or `false` for an app that only uses Consul. */
  service: FastifyConsulServiceOptions | false;
  /**
   * Path of the health route running the `addCheck` functions (200 passing, 429 warning,
   * 503 critical, JSON body), or `false`. Default `'/health'`.
   */
  healthRoute?: string | false;
  /**
   * Adds a TTL check whose heartbeat reports the `addCheck` functions, e.g. `'10s'`. Default: none
   * (without any check at all, core adds a liveness TTL check).
   */
  ttl?: Duration | false;
  /** How long a check function may take before it counts as critical. Default `'5s'`. */
  checkTimeout?: Duration;
  /**
   * On close, how long the instance stays in maintenance (not passing) before it is deregistered,
   * so that consumers' discovery caches drop it while in-flight requests finish. Default `'2s'`.
   */
  drain?: Duration;
  /** Bound on each Consul call made while closing (maintenance, deregistration). Default `'5s'`. */
  deregisterTimeout?: Duration;
  /**
   * `true`: check the agent on `ready()` and reject startup (and so `listen`) when it cannot be
   * reached. Default `false`: log a typed error and keep retrying registration with backoff.
   */
  failFast?: boolean;
  /** `true` (SIGTERM and SIGINT) or a list of signals that close the app gracefully. Default `false`. */
  closeOnSignals?: boolean | readonly NodeJS.Signals[];
}

/** Where the client comes from, and so who closes it. */
export type ClientSource =
  { owned: true; options: ConsulOptions } | { owned: false; client: Consul };

/** Options after validation and defaults. */
export interface NormalisedOptions {
  client: ClientSource;
  service: FastifyConsulServiceOptions | false;
  healthRoute: string | false;
  ttl: Duration | undefined;
  checkTimeoutMs: number;
  drainMs: number;
  deregisterTimeoutMs: number;
  failFast: boolean;
  signals: NodeJS.Signals[];
}

/** Options Fastify itself passes to every plugin along with ours. */
const FASTIFY_KEYS = ['prefix', 'logLevel', 'logSerializers'];
const KNOWN_KEYS = [
  'consul',
  'client',
  'service',
  'healthRoute',
  'ttl',
  'checkTimeout',
  'drain',
  'deregisterTimeout',
  'failFast',
  'closeOnSignals',
];
const SERVICE_KEYS = [
  'name',
  'id',
  'tags',
  'meta',
  'address',
  'port',
  'weights',
  'check',
  'checks',
  'deregisterCriticalServiceAfter',
];
const CHECK_KEYS = ['http', 'interval', 'timeout', 'deregisterCriticalServiceAfter'];
const SIGNAL = /^SIG[A-Z0-9]+$/;

/**
 * Validates the plugin options and applies defaults. Every error is a `ConsulConfigError` naming
 * the option by its dotted path. The caller's object is never mutated.
 */
export function normaliseOptions(input: unknown): NormalisedOptions {
  const opts = record(input, 'options');
  knownKeys(opts, KNOWN_KEYS, '', FASTIFY_KEYS);
  return {
    client: clientSource(opts),
    service: serviceOption(opts.service),
    healthRoute: healthRouteOption(opts.healthRoute),
    ttl: ttlOption(opts.ttl),
    checkTimeoutMs: positiveMillis(opts.checkTimeout ?? '5s', 'checkTimeout'),
    drainMs: millis(opts.drain ?? '2s', 'drain'),
    deregisterTimeoutMs: positiveMillis(opts.deregisterTimeout ?? '5s', 'deregisterTimeout'),
    failFast: booleanOption(opts.failFast, 'failFast'),
    signals: signalsOption(opts.closeOnSignals),
  };
}

function clientSource(opts: Record<string, unknown>): ClientSource {
  if (opts.client !== undefined) {
    if (opts.consul !== undefined) {
      throw new ConsulConfigError(
        'client',
        'either "consul" (client options) or "client" (an existing Consul), not both',
        opts.client,
      );
    }
    const c = opts.client as Partial<Record<'close' | 'onClose' | 'register', unknown>>;
    if (
      typeof c !== 'object' ||
      c === null ||
      typeof c.close !== 'function' ||
      typeof c.onClose !== 'function'
    ) {
      throw new ConsulConfigError('client', 'a Consul client (new Consul(...))', opts.client);
    }
    return { owned: false, client: opts.client as Consul };
  }
  return { owned: true, options: record(opts.consul ?? {}, 'consul') as ConsulOptions };
}

function serviceOption(value: unknown): FastifyConsulServiceOptions | false {
  if (value === false) return false;
  if (value === undefined) {
    throw new ConsulConfigError(
      'service',
      'the service to register ({ name }), or false for an app that only uses Consul',
      value,
    );
  }
  const service = record(value, 'service');
  knownKeys(service, SERVICE_KEYS, 'service');
  if (typeof service.name !== 'string' || service.name.trim() === '') {
    throw new ConsulConfigError('service.name', 'a non-empty service name', service.name);
  }
  if (service.check !== undefined && service.check !== false) checkOption(service.check);
  if (service.deregisterCriticalServiceAfter !== undefined) {
    atLeast(
      service.deregisterCriticalServiceAfter,
      60_000,
      'service.deregisterCriticalServiceAfter',
    );
  }
  // Deeper validation (meta limits, weights, check fields) is core's, run against the plan at load.
  return { ...(service as unknown as FastifyConsulServiceOptions) };
}

/** The health-route check's own fields, named as the user wrote them (`service.check.interval`). */
function checkOption(value: unknown): void {
  const check = record(value, 'service.check');
  knownKeys(check, CHECK_KEYS, 'service.check');
  const http = check.http;
  if (http !== undefined && http !== true && (typeof http !== 'string' || http === '')) {
    throw new ConsulConfigError('service.check.http', 'true, a path or an http(s):// URL', http);
  }
  if (check.interval !== undefined) atLeast(check.interval, 1_000, 'service.check.interval');
  if (check.timeout !== undefined) positiveMillis(check.timeout, 'service.check.timeout');
  if (check.deregisterCriticalServiceAfter !== undefined) {
    atLeast(
      check.deregisterCriticalServiceAfter,
      60_000,
      'service.check.deregisterCriticalServiceAfter',
    );
  }
}

/** A duration of at least `minMs` (the agent's own minimums: 1s for intervals, 1m for reaping). */
function atLeast(value: unknown, minMs: number, option: string): void {
  if (millis(value, option) < minMs) {
    throw new ConsulConfigError(
      option,
      `at least ${formatGoDuration(minMs)} (the agent minimum)`,
      value,
    );
  }
}

function healthRouteOption(value: unknown): string | false {
  if (value === undefined) return '/health';
  if (value === false) return false;
  if (typeof value !== 'string' || !value.startsWith('/') || /\s/.test(value)) {
    throw new ConsulConfigError('healthRoute', 'a path starting with "/", or false', value);
  }
  return value;
}

function ttlOption(value: unknown): Duration | undefined {
  if (value === undefined || value === false) return undefined;
  atLeast(value, 1_000, 'ttl');
  return value as Duration;
}

function signalsOption(value: unknown): NodeJS.Signals[] {
  if (value === undefined || value === false) return [];
  if (value === true) return ['SIGTERM', 'SIGINT'];
  if (Array.isArray(value)) {
    value.forEach((s, i) => {
      if (typeof s !== 'string' || !SIGNAL.test(s)) {
        throw new ConsulConfigError(`closeOnSignals[${i}]`, 'a signal name such as "SIGTERM"', s);
      }
    });
    return [...new Set(value as NodeJS.Signals[])];
  }
  throw new ConsulConfigError('closeOnSignals', 'a boolean or an array of signal names', value);
}

function booleanOption(value: unknown, option: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ConsulConfigError(option, 'a boolean', value);
  return value;
}

function millis(value: unknown, option: string): number {
  return toMillis(value as Duration, option);
}

function positiveMillis(value: unknown, option: string): number {
  const ms = millis(value, option);
  if (ms <= 0) throw new ConsulConfigError(option, 'a positive duration', value);
  return ms;
}

function record(value: unknown, option: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConsulConfigError(option, 'an object', value);
  }
  return value as Record<string, unknown>;
}

function knownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  path: string,
  alsoAllowed: readonly string[] = [],
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key) && !alsoAllowed.includes(key)) {
      const option = path === '' ? key : `${path}.${key}`;
      throw new ConsulConfigError(option, `a known option (${known.join(', ')})`, key);
    }
  }
}
