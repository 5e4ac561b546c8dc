import { ConsulOptionError } from '@consulkit/core';
import {
  type ManagedServiceCheckOptions,
  type ManagedServiceOptions,
  resolveServiceOptions,
  type ResolvedServiceLifecycleOptions,
  type ServiceLifecycleOptions,
} from '@consulkit/core/adapter';

/**
 * The HTTP check Consul runs against the plugin's health route: `http` (`true` for the health
 * route, a path on this server, or a full URL), `interval` (default `'10s'`), `timeout` (default
 * `'5s'`), `deregisterCriticalServiceAfter` (default `'1m'`).
 */
export type FastifyConsulCheckOptions = ManagedServiceCheckOptions;

/**
 * The service this app registers (`name`, `id`, `tags`, `meta`, `address`, `port`, `weights`,
 * `check`, `checks`, `deregisterCriticalServiceAfter`). `address` and `port` default to those
 * really bound by `listen`.
 */
export type FastifyConsulServiceOptions = ManagedServiceOptions;

/**
 * Options of `app.register(fastifyConsul, options)`: the client (`consul` options, or an adopted
 * `client`), the `service` (or `false`), `healthRoute`, `ttl`, `checkTimeout`, `drain`,
 * `deregisterTimeout` and `failFast` as `@consulkit/core` defines them for every adapter, plus
 * `closeOnSignals`.
 */
export interface FastifyConsulOptions extends ServiceLifecycleOptions {
  /** `true` (SIGTERM and SIGINT) or a list of signals that close the app gracefully. Default `false`. */
  closeOnSignals?: boolean | readonly NodeJS.Signals[];
}

/** Options after validation and defaults. */
export interface NormalisedOptions extends ResolvedServiceLifecycleOptions {
  signals: NodeJS.Signals[];
}

/** Options Fastify itself passes to every plugin along with ours. */
const FASTIFY_KEYS = ['prefix', 'logLevel', 'logSerializers'];
const SIGNAL = /^SIG[A-Z0-9]+$/;

/**
 * Validates the plugin options and applies defaults (core's `resolveServiceOptions`, plus
 * `closeOnSignals`). Every error is a `ConsulOptionError` naming the option by its dotted path.
 * The caller's object is never mutated.
 */
export function resolvePluginOptions(input: unknown): NormalisedOptions {
  const resolved = resolveServiceOptions(input, {
    extraKeys: ['closeOnSignals', ...FASTIFY_KEYS],
  });
  const signals = signalsOption((input as FastifyConsulOptions).closeOnSignals);
  return { ...resolved, signals };
}

function signalsOption(value: unknown): NodeJS.Signals[] {
  if (value === undefined || value === false) return [];
  if (value === true) return ['SIGTERM', 'SIGINT'];
  if (Array.isArray(value)) {
    value.forEach((s, i) => {
      if (typeof s !== 'string' || !SIGNAL.test(s)) {
        throw new ConsulOptionError(`closeOnSignals[${i}]`, 'a signal name such as "SIGTERM"', s);
      }
    });
    return [...new Set(value as NodeJS.Signals[])];
  }
  throw new ConsulOptionError('closeOnSignals', 'a boolean or an array of signal names', value);
}
