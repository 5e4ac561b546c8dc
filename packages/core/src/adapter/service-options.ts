import { type ConsulOptions } from '../client-options';
import { type Consul } from '../consul';
import { type Duration, formatGoDuration, toMillis, toTimerMillis } from '../duration';
import { ConsulOptionError } from '../errors';
import { validateKnownOptions, optionKeys } from '../models/validate';
import { type RegistrationCheck } from '../registration/types';
import { validateServiceDefinition } from './definition-builder';

/** The HTTP check Consul runs against the app's health route. */
export interface ManagedServiceCheckOptions {
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

/** The service an app registers. `address` and `port` default to those really bound by `listen`. */
export interface ManagedServiceOptions {
  /** Service name consumers look up (letters, digits, `.`, `_`, `-`). */
  name: string;
  /** Instance ID. Default `name-host-port-<random>`. */
  id?: string;
  tags?: readonly string[];
  /** String metadata (`scheme: 'https'` makes consumers dial TLS). */
  meta?: Readonly<Record<string, string>>;
  /** Address consumers dial. Default: the bound address, or this host's first IPv4 on a wildcard bind. */
  address?: string;
  /** Port consumers dial. Default: the port `listen` bound (so listening on port 0 works). */
  port?: number;
  /** Load-balancing weights (`warning: 0` sends no traffic to a warning instance). */
  weights?: { passing: number; warning?: number };
  /**
   * The HTTP check on the health route. Default: `{ http: true, interval: '10s' }` when
   * `healthRoute` is enabled; `false` for none.
   */
  check?: ManagedServiceCheckOptions | false;
  /** More checks, as `consul.register` accepts them (`http: '/path'`, `tcp: true`, `ttl`...). */
  checks?: readonly RegistrationCheck[];
  /** Default `DeregisterCriticalServiceAfter` of every check. Default `'1m'`. */
  deregisterCriticalServiceAfter?: Duration;
}

/**
 * The options a framework adapter takes to make an app a Consul citizen (`@consulkit/fastify`'s
 * plugin options, `@consulkit/nest`'s module options): the client, the service, the health route
 * and the shutdown timings. Validated by {@link resolveServiceOptions}.
 */
export interface ServiceLifecycleOptions {
  /** Options of the `Consul` client the adapter creates (and closes). Exclusive with `client`. */
  consul?: ConsulOptions;
  /** An existing `Consul` client to adopt; the adapter never closes it. Exclusive with `consul`. */
  client?: Consul;
  /** The service to register once the server listens, or `false` for an app that only uses Consul. */
  service: ManagedServiceOptions | false;
  /**
   * Path of the health route running the app's check functions (200 passing, 429 warning,
   * 503 critical, JSON body), or `false`. Default `'/health'`.
   */
  healthRoute?: string | false;
  /**
   * Adds a TTL check whose heartbeat reports the app's check functions, e.g. `'10s'`. Default: none
   * (without any check at all, core adds a liveness TTL check).
   */
  ttl?: Duration | false;
  /** How long a check function may take before it counts as critical. Default `'5s'`. */
  checkTimeout?: Duration;
  /**
   * On shutdown, how long the instance stays in maintenance (not passing) before it is
   * deregistered, so that consumers' discovery caches drop it while in-flight requests finish.
   * Default `'2s'`.
   */
  drain?: Duration;
  /** Bound on each Consul call made while shutting down (maintenance, deregistration). Default `'5s'`. */
  deregisterTimeout?: Duration;
  /**
   * `true`: check the agent during startup and fail it when the agent cannot be reached. Default
   * `false`: log a typed error and keep retrying registration with backoff.
   */
  failFast?: boolean;
}

/** Where the client comes from, and so who closes it. */
export type ConsulClientSource =
  { owned: true; options: ConsulOptions } | { owned: false; client: Consul };

/** {@link ServiceLifecycleOptions} after validation and defaults. */
export interface ResolvedServiceLifecycleOptions {
  client: ConsulClientSource;
  service: ManagedServiceOptions | false;
  healthRoute: string | false;
  ttl: Duration | undefined;
  checkTimeoutMs: number;
  drainMs: number;
  deregisterTimeoutMs: number;
  failFast: boolean;
}

/** How an adapter calls {@link resolveServiceOptions}. */
export interface ResolveServiceOptionsSettings {
  /**
   * Top-level keys the adapter handles itself (e.g. `closeOnSignals`, or what the framework adds
   * to every plugin's options): accepted here, validated by the adapter.
   */
  extraKeys?: readonly string[];
}

const KNOWN_KEYS = optionKeys<ServiceLifecycleOptions>({
  consul: true,
  client: true,
  service: true,
  healthRoute: true,
  ttl: true,
  checkTimeout: true,
  drain: true,
  deregisterTimeout: true,
  failFast: true,
});
const SERVICE_KEYS = optionKeys<ManagedServiceOptions>({
  name: true,
  id: true,
  tags: true,
  meta: true,
  address: true,
  port: true,
  weights: true,
  check: true,
  checks: true,
  deregisterCriticalServiceAfter: true,
});
const CHECK_KEYS = optionKeys<ManagedServiceCheckOptions>({
  http: true,
  interval: true,
  timeout: true,
  deregisterCriticalServiceAfter: true,
});

/**
 * Validates an adapter's options and applies defaults. Every error is a `ConsulOptionError` naming
 * the option by its dotted path as the user wrote it (`service.check.interval`,
 * `service.checks[0].interval`, `drain`...), thrown before anything is sent; unknown keys are
 * rejected (typos). The service is also run through core's registration planner with a placeholder
 * port, so a bad field fails at startup rather than at `listen`. The caller's object is never
 * mutated.
 *
 * @example
 * const resolved = resolveServiceOptions(pluginOptions, { extraKeys: ['closeOnSignals'] });
 */
export function resolveServiceOptions(
  input: unknown,
  settings: ResolveServiceOptionsSettings = {},
): ResolvedServiceLifecycleOptions {
  const opts = record(input, 'options');
  validateKnownOptions(opts, [...KNOWN_KEYS, ...(settings.extraKeys ?? [])]);
  const resolved: ResolvedServiceLifecycleOptions = {
    client: clientSource(opts),
    service: serviceOption(opts.service),
    healthRoute: healthRouteOption(opts.healthRoute),
    ttl: ttlOption(opts.ttl),
    // Each is waited on with a timer: beyond a Node timer's limit, it would end after 1 ms.
    checkTimeoutMs: positiveTimer(given(opts.checkTimeout, '5s'), 'checkTimeout'),
    drainMs: toTimerMillis(given(opts.drain, '2s') as Duration, 'drain'),
    deregisterTimeoutMs: positiveTimer(given(opts.deregisterTimeout, '5s'), 'deregisterTimeout'),
    failFast: booleanOption(opts.failFast, 'failFast'),
  };
  if (resolved.service) {
    validateServiceDefinition(resolved.service, resolved.healthRoute, resolved.ttl);
  }
  return resolved;
}

/** Whether `value` is a usable route path: starts with `/`, no white space. */
export function isRoutePath(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('/') && !/\s/.test(value);
}

function clientSource(opts: Record<string, unknown>): ConsulClientSource {
  if (opts.client !== undefined) {
    if (opts.consul !== undefined) {
      throw new ConsulOptionError(
        'client',
        'either "consul" (client options) or "client" (an existing Consul), not both',
        opts.client,
      );
    }
    // Duck-typed rather than `instanceof`: a second copy of core in node_modules is still a client.
    const c = opts.client as Partial<Record<'close' | 'onClose', unknown>>;
    if (
      typeof c !== 'object' ||
      c === null ||
      typeof c.close !== 'function' ||
      typeof c.onClose !== 'function'
    ) {
      throw new ConsulOptionError('client', 'a Consul client (new Consul(...))', opts.client);
    }
    return { owned: false, client: opts.client as Consul };
  }
  return { owned: true, options: record(given(opts.consul, {}), 'consul') as ConsulOptions };
}

function serviceOption(value: unknown): ManagedServiceOptions | false {
  if (value === false) return false;
  if (value === undefined) {
    throw new ConsulOptionError(
      'service',
      'the service to register ({ name }), or false for an app that only uses Consul',
      value,
    );
  }
  const service = record(value, 'service');
  validateKnownOptions(service, SERVICE_KEYS, 'service');
  if (service.check !== undefined && service.check !== false) checkOption(service.check);
  if (service.deregisterCriticalServiceAfter !== undefined) {
    atLeast(
      service.deregisterCriticalServiceAfter,
      60_000,
      'service.deregisterCriticalServiceAfter',
    );
  }
  // `name` is checked after core validated the fields given (validateServiceDefinition), so that
  // `{ port: -1 }` is reported as `service.port` rather than as a missing name.
  return { ...(service as unknown as ManagedServiceOptions) };
}

/** The health-route check's own fields, named as the user wrote them (`service.check.interval`). */
function checkOption(value: unknown): void {
  const check = record(value, 'service.check');
  validateKnownOptions(check, CHECK_KEYS, 'service.check');
  const http = check.http;
  // Checked here, where it is named as written: core would blame its position in `checks`.
  if (
    http !== undefined &&
    http !== true &&
    (typeof http !== 'string' || !(http.startsWith('/') || /^https?:\/\/[^/\s]+/i.test(http)))
  ) {
    throw new ConsulOptionError('service.check.http', 'true, a path or an http(s):// URL', http);
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

function healthRouteOption(value: unknown): string | false {
  if (value === undefined) return '/health';
  if (value === false) return false;
  if (!isRoutePath(value)) {
    throw new ConsulOptionError('healthRoute', 'a path starting with "/", or false', value);
  }
  return value;
}

function ttlOption(value: unknown): Duration | undefined {
  if (value === undefined || value === false) return undefined;
  atLeast(value, 1_000, 'ttl');
  return value as Duration;
}

/** A duration of at least `minMs` (the agent's own minimums: 1s for intervals, 1m for reaping). */
function atLeast(value: unknown, minMs: number, option: string): void {
  if (millis(value, option) < minMs) {
    throw new ConsulOptionError(
      option,
      `at least ${formatGoDuration(minMs)} (the agent minimum)`,
      value,
    );
  }
}

function booleanOption(value: unknown, option: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ConsulOptionError(option, 'a boolean', value);
  return value;
}

function millis(value: unknown, option: string): number {
  return toMillis(value as Duration, option);
}

function positiveMillis(value: unknown, option: string): number {
  const ms = millis(value, option);
  if (ms <= 0) throw new ConsulOptionError(option, 'a positive duration', value);
  return ms;
}

function positiveTimer(value: unknown, option: string): number {
  const ms = toTimerMillis(value as Duration, option);
  if (ms <= 0) throw new ConsulOptionError(option, 'a positive duration', value);
  return ms;
}

/** `value`, or `fallback` when not given: only `undefined` is "not given", `null` is refused. */
function given(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}

function record(value: unknown, option: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConsulOptionError(option, 'an object', value);
  }
  return value as Record<string, unknown>;
}
