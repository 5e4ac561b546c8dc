import {
  type Consul,
  ConsulConfigError,
  type ConsulOptions,
  type Duration,
  formatGoDuration,
  toMillis,
} from '@consulkit/core';
import { type ConsulServiceOptions } from '../interfaces/consul-module-options.interface';

/** Where the client comes from, and so who closes it. */
export type ClientSource =
  { owned: true; options: ConsulOptions } | { owned: false; client: Consul };

/** Module options after validation and defaults. */
export interface ResolvedConsulOptions {
  client: ClientSource;
  service: ConsulServiceOptions | false;
  healthRoute: string | false;
  ttl: Duration | undefined;
  checkTimeoutMs: number;
  drainMs: number;
  deregisterTimeoutMs: number;
  failFast: boolean;
}

const KNOWN_KEYS = [
  'consul',
  'client',
  'service',
  'ttl',
  'checkTimeout',
  'drain',
  'deregisterTimeout',
  'failFast',
  // A module extra, tolerated here only to explain where it belongs (see healthRouteOption).
  'healthRoute',
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

/**
 * Validates the module options (`ConsulModuleOptions`: what `forRoot` got, or what the `forRootAsync` factory returned)
 * and applies defaults. Every error is a `ConsulConfigError` naming the option by its dotted path;
 * the caller's object is never mutated. Deeper service checks (port range, meta, weights, check
 * fields) are core's: see `validateService`.
 *
 * @param healthRoute the `healthRoute` module extra (routes are fixed when the module is defined)
 */
export function normaliseOptions(input: unknown, healthRoute: unknown): ResolvedConsulOptions {
  const opts = record(input, 'options');
  knownKeys(opts, KNOWN_KEYS, '');
  const route = healthRouteOption(healthRoute);
  if (opts.healthRoute !== undefined && opts.healthRoute !== route) {
    throw new ConsulConfigError(
      'healthRoute',
      'the healthRoute given to forRoot/forRootAsync directly (Nest builds routes before the options factory runs)',
      opts.healthRoute,
    );
  }
  return {
    client: clientSource(opts),
    service: serviceOption(opts.service),
    healthRoute: route,
    ttl: ttlOption(opts.ttl),
    checkTimeoutMs: positiveMillis(opts.checkTimeout ?? '5s', 'checkTimeout'),
    drainMs: millis(opts.drain ?? '2s', 'drain'),
    deregisterTimeoutMs: positiveMillis(opts.deregisterTimeout ?? '5s', 'deregisterTimeout'),
    failFast: booleanOption(opts.failFast, 'failFast'),
  };
}

/** Whether `value` is a usable route path (the module definition only mounts valid ones). */
export function isRoutePath(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('/') && !/\s/.test(value);
}

function healthRouteOption(value: unknown): string | false {
  if (value === undefined) return '/health';
  if (value === false) return false;
  if (!isRoutePath(value)) {
    throw new ConsulConfigError('healthRoute', 'a path starting with "/", or false', value);
  }
  return value;
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

function serviceOption(value: unknown): ConsulServiceOptions | false {
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
  if (service.check !== undefined && service.check !== false) checkOption(service.check);
  if (service.deregisterCriticalServiceAfter !== undefined) {
    atLeast(
      service.deregisterCriticalServiceAfter,
      60_000,
      'service.deregisterCriticalServiceAfter',
    );
  }
  // `name` is checked after core validated the fields given (validateService), so that
  // `{ port: -1 }` is reported as `service.port` rather than as a missing name.
  return { ...(service as unknown as ConsulServiceOptions) };
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

function ttlOption(value: unknown): Duration | undefined {
  if (value === undefined || value === false) return undefined;
  atLeast(value, 1_000, 'ttl');
  return value as Duration;
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

function knownKeys(value: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const option = path === '' ? key : `${path}.${key}`;
      throw new ConsulConfigError(option, `a known option (${known.join(', ')})`, key);
    }
  }
}
