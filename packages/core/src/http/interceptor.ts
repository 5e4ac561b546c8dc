import type { Dispatcher } from 'undici';
import { roundRobin } from '../balancers/round-robin';
import type { Balancer } from '../balancers/types';
import type { InstanceSource } from '../models/service-instance';
import { toMillis, type Duration } from '../duration';
import { ConsulClosedError, ConsulOptionError } from '../errors';
import { defaultLogger, type ConsulLogger } from '../logger';
import { validateKnownOptions, optionKeys } from '../models/validate';
import { DiscoveryHandler, type LogicalOrigin } from './discovery-handler';
import { defaultServiceMatch } from './host-match';
import { resolveEjection, type EjectionOptions } from './service-client-options';
import { RoutedCall, ServiceRouter, type RetryPolicy } from './router';

/** Options of {@link createDiscoveryInterceptor}. */
export interface DiscoveryInterceptorOptions {
  /**
   * Maps a request's host name to a service name, or `undefined` to let the request pass through
   * untouched. Default: single-label hosts except `localhost` (`http://user-service/...`) and Consul
   * DNS names (`user-service.service.consul`, `user-service.service.dc2.consul`).
   */
  match?: (hostname: string) => string | undefined;
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
 * are not services (IPs, dotted names, `localhost`, or names `resolve` does not know) pass through
 * untouched. Compose it *inside* a retry interceptor (`agent.compose(discovery, retry)`: the last
 * interceptor runs first) so every retry picks an instance again.
 *
 * @param resolve the instance source of a service name, or `undefined` when it is not a service.
 *   Called once per name; the source is kept until `close()`.
 *
 * @example
 * const agent = new Agent().compose(createDiscoveryInterceptor((name) => consul.discovery.service(name)));
 * const { body } = await request('http://user-service/users/1', { dispatcher: agent });
 */
export function createDiscoveryInterceptor(
  resolve: (service: string) => InstanceSource | undefined,
  options: DiscoveryInterceptorOptions = {},
): DiscoveryInterceptor {
  if (typeof resolve !== 'function') {
    throw new ConsulOptionError('resolve', 'a function (service) => InstanceSource', resolve);
  }
  const settings = resolveInterceptorOptions(options);
  const retries = settings.redispatch ? 1 : 0;
  const routes = new Map<string, RoutedService>();
  const origins = new Map<string, LogicalOrigin | null>();
  let closed = false;

  const routeFor = (service: string): RoutedService | undefined => {
    let route = routes.get(service);
    if (route === undefined) {
      const source = resolve(service);
      if (source === undefined) return undefined;
      const router = new ServiceRouter(
        service,
        source,
        settings.balancer(service),
        REDISPATCH,
        settings.ejection,
        settings.logger,
      );
      route = { router, ready: undefined };
      routes.set(service, route);
    }
    return route;
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

    return function discoveryInterceptor(opts, handler) {
      const logical = parse(opts.origin);
      const service = logical === null ? undefined : settings.match(logical.hostname);
      if (logical === null || service === undefined) return dispatch(opts, handler);
      if (closed)
        return fail(handler, new ConsulClosedError('The discovery interceptor is closed'));
      const route = routeFor(service);
      if (route === undefined) return dispatch(opts, handler);
      const router = route.router;
      if (router.source.instances().length > 0) return send(router, opts, logical, handler);
      // Cold service: wait (bounded) for its first instances, shared by concurrent requests.
      route.ready ??= router.source
        .ready(AbortSignal.timeout(settings.readyTimeoutMs))
        .finally(() => (route.ready = undefined));
      route.ready.then(
        () => send(router, opts, logical, handler),
        () =>
          fail(
            handler,
            router.noInstance(
              opts.method,
              opts.path,
              `discovery did not answer within ${settings.readyTimeoutMs} ms`,
            ),
          ),
      );
      return true;
    };
  }) as DiscoveryInterceptor;

  interceptor.close = () => {
    if (closed) return;
    closed = true;
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

/** A service the interceptor routes to, and the wait for its first instances (shared). */
interface RoutedService {
  readonly router: ServiceRouter;
  ready: Promise<void> | undefined;
}

interface InterceptorSettings {
  match: (hostname: string) => string | undefined;
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
    match: fn(options.match, 'match', defaultServiceMatch),
    balancer: fn(options.balancer, 'balancer', () => roundRobin()),
    preserveHost: bool(options.preserveHost, 'preserveHost', true),
    redispatch: bool(options.redispatch, 'redispatch', true),
    ejection: options.ejection === false ? undefined : resolveEjection(options.ejection),
    readyTimeoutMs: toMillis(options.readyTimeout ?? '5s', 'readyTimeout'),
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
