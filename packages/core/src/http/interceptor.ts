import type { Dispatcher } from 'undici';
import { roundRobin } from '../balancers/round-robin';
import type { Balancer } from '../balancers/types';
import type { InstanceSource } from '../models/service-instance';
import { type Duration, toTimerMillis } from '../duration';
import { ConsulClosedError, ConsulNoInstanceError, ConsulOptionError } from '../errors';
import { defaultLogger, type ConsulLogger } from '../logger';
import { validateKnownOptions, optionKeys } from '../models/validate';
import { DiscoveryHandler, type LogicalOrigin } from './discovery-handler';
import { parseServiceHost, type ServiceTarget } from './host-match';
import { resolveEjection, type EjectionOptions } from './service-client-options';
import { discoveryFailure, RoutedCall, ServiceRouter, type RetryPolicy } from './router';

/** Options of {@link createDiscoveryInterceptor}. */
export interface DiscoveryInterceptorOptions {
  /**
   * Maps a request's host name to a service name (or a {@link ServiceTarget} naming its datacenter
   * and tag), or `undefined` to let the request pass through untouched. Default
   * {@link parseServiceHost}: single-label hosts except `localhost` (`http://user-service/...`) and
   * Consul DNS names `[<tag>.]<service>.service[.<dc>].consul`, honouring their tag and datacenter.
   * A host with an explicit (non-default) port (`http://redis:6379`) is never a service: it passes
   * through before `match` is asked.
   */
  match?: (hostname: string) => string | ServiceTarget | undefined;
  /** Creates the balancer of each service (balancers keep per-service state). Default `roundRobin`. */
  balancer?: (service: string) => Balancer;
  /**
   * Keep the logical host in the `Host` header (and as TLS `servername`). Default `true`; `false`
   * sends the instance's `address:port` as Host.
   */
  preserveHost?: boolean;
  /** Re-dispatch once to another instance when connecting fails. Default `true`. */
  redispatch?: boolean;
  /** Passive outlier ejection per service, or `false`. Same defaults as the `ServiceClient`. */
  ejection?: EjectionOptions | false;
  /** How long a request to a service not loaded yet waits for discovery. Default `'5s'`. */
  readyTimeout?: Duration;
  /** Call `close()` on every source obtained from `resolve` when the interceptor closes. Default `false`. */
  closeSources?: boolean;
  /** Receives ejection/re-admission notices. */
  logger?: ConsulLogger;
}

/** The option names of {@link DiscoveryInterceptorOptions} (unknown ones are rejected). */
export const INTERCEPTOR_OPTION_KEYS = optionKeys<DiscoveryInterceptorOptions>({
  match: true,
  balancer: true,
  preserveHost: true,
  redispatch: true,
  ejection: true,
  readyTimeout: true,
  closeSources: true,
  logger: true,
});

/** An undici interceptor (for `Agent.compose()`) that also releases what it holds on `close()`. */
export interface DiscoveryInterceptor {
  (dispatch: Dispatcher.Dispatch): Dispatcher.Dispatch;
  /** Stops following the sources (and closes them with `closeSources`). Later service requests fail. */
  close(): void;
}

/**
 * Creates an undici interceptor that resolves logical service hosts through discovery, modelled on
 * undici's dns interceptor: a request to `http://user-service/users/1` is re-aimed at an instance
 * picked by the service's balancer (the logical `Host` header is kept), connection failures are
 * re-dispatched once to another instance, and failing instances are ejected for a while. Hosts that
 * are not services (IPs, dotted names, `localhost`, hosts with an explicit port, or names `resolve`
 * does not know) pass through untouched. Compose it *inside* a retry interceptor
 * (`agent.compose(discovery, retry)`: the last interceptor runs first) so every retry picks an
 * instance again.
 *
 * @param resolve the instance source of a service name, or `undefined` when it is not a service.
 *   `target` carries the datacenter and tag a Consul DNS host names (`v2.users.service.dc2.consul`):
 *   honour them, or requests to `users.service.dc2.consul` reach the datacenter of the source you
 *   return. Called once per distinct target; the source is kept until `close()`.
 *
 * @example
 * const agent = new Agent().compose(createDiscoveryInterceptor((name) => consul.discovery.service(name)));
 * const { body } = await request('http://user-service/users/1', { dispatcher: agent });
 */
export function createDiscoveryInterceptor(
  resolve: (service: string, target: ServiceTarget) => InstanceSource | undefined,
  options: DiscoveryInterceptorOptions = {},
  /** @internal Tells whether a single-label host is a service at all (`consul.interceptor()`). */
  directory?: ServiceDirectory,
): DiscoveryInterceptor {
  if (typeof resolve !== 'function') {
    throw new ConsulOptionError('resolve', 'a function (service) => InstanceSource', resolve);
  }
  const settings = resolveInterceptorOptions(options);
  const retries = settings.redispatch ? 1 : 0;
  const routes = new Map<string, RoutedService>();
  const origins = new Map<string, LogicalOrigin | null>();
  let closed = false;

  const routeFor = (target: ServiceTarget, key: string): RoutedService | undefined => {
    let route = routes.get(key);
    if (route === undefined) {
      const source = resolve(target.service, target);
      if (source === undefined) return undefined;
      const router = new ServiceRouter(
        target.service,
        source,
        settings.balancer(target.service),
        REDISPATCH,
        settings.ejection,
        settings.logger,
      );
      route = { router, ready: undefined };
      routes.set(key, route);
    }
    return route;
  };

  const targets = new Map<string, Resolved | null>();
  // Only the default parser is pure: a user's `match` may change its mind, so it is asked each time.
  const memoise = settings.match === parseServiceHost;
  /** The host's target, memoised per host name (few distinct hosts in practice). */
  const matchOf = (hostname: string): Resolved | undefined => {
    if (!memoise) return toResolved(hostname, settings.match(hostname)) ?? undefined;
    let resolved = targets.get(hostname);
    if (resolved === undefined) {
      if (targets.size >= 1024) targets.clear();
      resolved = toResolved(hostname, settings.match(hostname));
      targets.set(hostname, resolved);
    }
    return resolved ?? undefined;
  };

  const parse = (origin: string | URL | undefined): LogicalOrigin | null => {
    if (origin === undefined) return null;
    if (typeof origin !== 'string') return logicalOf(origin);
    let parsed = origins.get(origin);
    if (parsed === undefined) {
      // Few distinct origins in practice; the bound only guards against unbounded growth.
      if (origins.size >= 1024) origins.clear();
      parsed = URL.canParse(origin) ? logicalOf(new URL(origin)) : null;
      origins.set(origin, parsed);
    }
    return parsed;
  };

  const interceptor = ((dispatch: Dispatcher.Dispatch): Dispatcher.Dispatch => {
    const send = (
      router: ServiceRouter,
      opts: Dispatcher.DispatchOptions,
      logical: LogicalOrigin,
      handler: Dispatcher.DispatchHandler,
    ): boolean => {
      const call = new RoutedCall(opts, undefined, retries);
      const instance = router.pick(call);
      if (instance === undefined) return fail(handler, router.noInstance(opts.method, opts.path));
      const routed = new DiscoveryHandler(
        handler,
        dispatch,
        router,
        call,
        logical,
        settings.preserveHost,
      );
      return routed.send(instance);
    };

    const timedOut = (router: ServiceRouter, opts: Dispatcher.DispatchOptions) =>
      router.noInstance(
        opts.method,
        opts.path,
        `discovery did not answer within ${settings.readyTimeoutMs} ms` +
          failureSuffix(discoveryFailure(router.source)),
      );

    /** Waits (bounded, shared by concurrent requests) for a cold service's first instances. */
    const whenReady = (
      route: RoutedService,
      opts: Dispatcher.DispatchOptions,
      logical: LogicalOrigin,
      handler: Dispatcher.DispatchHandler,
    ): boolean => {
      const router = route.router;
      route.ready ??= router.source
        .ready(AbortSignal.timeout(settings.readyTimeoutMs))
        .finally(() => (route.ready = undefined));
      route.ready.then(
        () => send(router, opts, logical, handler),
        () => fail(handler, timedOut(router, opts)),
      );
      return true;
    };

    const route = (
      target: Resolved,
      opts: Dispatcher.DispatchOptions,
      logical: LogicalOrigin,
      handler: Dispatcher.DispatchHandler,
    ): boolean => {
      if (closed)
        return fail(handler, new ConsulClosedError('The discovery interceptor is closed'));
      const routed = routeFor(target.target, target.key);
      if (routed === undefined) return dispatch(opts, handler);
      return routed.router.source.instances().length > 0
        ? send(routed.router, opts, logical, handler)
        : whenReady(routed, opts, logical, handler);
    };

    return function discoveryInterceptor(opts, handler) {
      const logical = parse(opts.origin);
      // An explicit port names a process, not a service (`http://redis:6379`).
      if (logical === null || logical.host !== logical.hostname) return dispatch(opts, handler);
      const target = matchOf(logical.hostname);
      if (target === undefined) return dispatch(opts, handler);
      // Hot path: a service already routed, with instances, costs no directory lookup.
      const known = routes.get(target.key);
      if (known !== undefined && known.router.source.instances().length > 0) {
        return closed
          ? fail(handler, new ConsulClosedError('The discovery interceptor is closed'))
          : send(known.router, opts, logical, handler);
      }
      if (directory === undefined || !target.bare) return route(target, opts, logical, handler);
      // A single label may be any host (`http://redis/`): ask whether the catalog lists it.
      const listed = directory.lists(target.target, AbortSignal.timeout(settings.readyTimeoutMs));
      if (typeof listed === 'boolean') {
        return listed ? route(target, opts, logical, handler) : dispatch(opts, handler);
      }
      listed.then(
        (yes) => (yes ? route(target, opts, logical, handler) : dispatch(opts, handler)),
        () =>
          fail(
            handler,
            new ConsulNoInstanceError(
              target.target.service,
              `the service catalog did not answer within ${settings.readyTimeoutMs} ms`,
            ),
          ),
      );
      return true;
    };
  }) as DiscoveryInterceptor;

  interceptor.close = () => {
    if (closed) return;
    closed = true;
    directory?.close();
    for (const { router } of routes.values()) {
      router.close();
      if (settings.closeSources) router.source.close?.();
    }
    routes.clear();
  };
  return interceptor;
}

/**
 * The interceptor re-dispatches only failures before anything left (at most once, `redispatch`):
 * whether a request that reached an instance may be repeated is the business of a retry
 * interceptor composed outside it.
 */
const REDISPATCH: RetryPolicy = {
  retryStatuses: new Set(),
  resend: 'never',
  replayableBodyOnly: false,
};

/**
 * @internal Whether a single-label host names a service: `consul.interceptor()` reads the catalog's
 * service list so `http://redis/` passes through at once instead of waiting `readyTimeout`.
 */
export interface ServiceDirectory {
  /** A boolean when known now; otherwise a promise, rejected when `signal` fires first. */
  lists(target: ServiceTarget, signal: AbortSignal): boolean | Promise<boolean>;
  /** Stops following the catalog. */
  close(): void;
}

/** A matched host: its target, the key of its route, and whether it was a single label. */
interface Resolved {
  readonly target: ServiceTarget;
  readonly key: string;
  /** A single-label host (`http://users/`): may be any host, not a service. */
  readonly bare: boolean;
}

function toResolved(
  hostname: string,
  matched: string | ServiceTarget | undefined,
): Resolved | null {
  if (matched === undefined) return null;
  const target = typeof matched === 'string' ? { service: matched } : matched;
  if (typeof target.service !== 'string' || target.service === '') {
    throw new ConsulOptionError('match', 'a function returning a service name or target', matched);
  }
  return {
    target,
    key: JSON.stringify([target.service, target.dc ?? '', target.tag ?? '']),
    bare: !hostname.includes('.'),
  };
}

/** A service the interceptor routes to, and the wait for its first instances (shared). */
interface RoutedService {
  readonly router: ServiceRouter;
  ready: Promise<void> | undefined;
}

interface InterceptorSettings {
  match: (hostname: string) => string | ServiceTarget | undefined;
  balancer: (service: string) => Balancer;
  preserveHost: boolean;
  redispatch: boolean;
  ejection: ReturnType<typeof resolveEjection> | undefined;
  readyTimeoutMs: number;
  closeSources: boolean;
  logger: ConsulLogger;
}

function resolveInterceptorOptions(options: DiscoveryInterceptorOptions): InterceptorSettings {
  if (typeof options !== 'object' || options === null) {
    throw new ConsulOptionError('options', 'an object', options);
  }
  validateKnownOptions(options, INTERCEPTOR_OPTION_KEYS);
  const fn = <T>(value: T | undefined, option: string, fallback: T): T => {
    if (value === undefined) return fallback;
    if (typeof value !== 'function') throw new ConsulOptionError(option, 'a function', value);
    return value;
  };
  const bool = (value: boolean | undefined, option: string, fallback: boolean): boolean => {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw new ConsulOptionError(option, 'a boolean', value);
    return value;
  };
  return {
    match: fn(options.match, 'match', parseServiceHost),
    balancer: fn(options.balancer, 'balancer', () => roundRobin()),
    preserveHost: bool(options.preserveHost, 'preserveHost', true),
    redispatch: bool(options.redispatch, 'redispatch', true),
    ejection: options.ejection === false ? undefined : resolveEjection(options.ejection),
    readyTimeoutMs: toTimerMillis(options.readyTimeout ?? '5s', 'readyTimeout'),
    closeSources: bool(options.closeSources, 'closeSources', false),
    logger: options.logger ?? defaultLogger,
  };
}

function logicalOf(url: URL): LogicalOrigin | null {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return { protocol: url.protocol, hostname: url.hostname, host: url.host };
}

/** Reports an error to a handler before anything was dispatched. */
function fail(handler: Dispatcher.DispatchHandler, error: Error): boolean {
  handler.onResponseError?.(new IdleController(), error);
  return true;
}

/** The controller of a request that never started: aborting it has nothing left to stop. */
class IdleController implements Dispatcher.DispatchController {
  private abortReason: Error | null = null;
  get aborted(): boolean {
    return this.abortReason !== null;
  }
  get paused(): boolean {
    return false;
  }
  get reason(): Error | null {
    return this.abortReason;
  }
  abort(reason: Error): void {
    this.abortReason = reason;
  }
  pause(): void {}
  resume(): void {}
}

function failureSuffix(cause: Error | undefined): string {
  return cause ? ` (${cause.message})` : '';
}
