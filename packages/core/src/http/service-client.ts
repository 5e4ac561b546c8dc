import type { Dispatcher } from 'undici';
import type { Balancer } from '../balancers/types';
import type { InstanceSource } from '../models/service-instance';
import { toMillis, type Duration } from '../duration';
import { ConsulClosedError, ConsulOptionError, ConsulTimeoutError } from '../errors';
import { defaultLogger, type ConsulLogger } from '../logger';
import { CallSignal } from './call-signal';
import { DeadlineList } from './deadlines';
import {
  resolveServiceClientOptions,
  type ResolvedServiceClientOptions,
  type ServiceClientOptions,
} from './service-client-options';
import { InstancePools } from './pools';
import { discoveryFailure, RoutedCall, ServiceRouter } from './router';

/**
 * One call through a {@link ServiceClient}: undici's request options without `origin` (the client
 * picks the instance), plus per-call overrides.
 */
export type ServiceRequestOptions = Omit<
  Dispatcher.RequestOptions,
  'origin' | 'method' | 'signal' | 'opaque' | 'throwOnError'
> & {
  /** Default `'GET'`. */
  method?: Dispatcher.HttpMethod;
  /** Cancels the call (all attempts). */
  signal?: AbortSignal;
  /** Affinity key for `consistentHash` balancers. */
  hashKey?: string;
  /** Deadline of this call, overriding the client's `timeout`. */
  timeout?: Duration;
  /** Retries of this call, overriding the client's `retries`. */
  retries?: number;
};

/** Options of the method shortcuts (`get`, `post`...). */
export type ServiceCallOptions = Omit<ServiceRequestOptions, 'path' | 'method'>;

/**
 * A load-balanced HTTP client for one service, fed by an {@link InstanceSource} (normally the
 * discovery cache behind `consul.http(name)`). Each call picks an instance with the balancer, sends
 * through that instance's undici pool, retries idempotent calls on a *different* instance after a
 * connection error, timeout or 502/503/504, ejects instances failing in a row and re-admits them
 * later, and honours one deadline for the whole call. Responses are undici's `ResponseData`: consume
 * or dump every body.
 *
 * @example
 * const users = new ServiceClient(consul.discovery.service('users'), { balancer: p2c() });
 * const { statusCode, body } = await users.get('/users/1');
 * const user = await body.json();
 */
export class ServiceClient {
  /** Logical service name. */
  readonly service: string;
  /** The balancer in use. */
  readonly balancer: Balancer;
  private readonly options: ResolvedServiceClientOptions;
  private readonly pools: InstancePools;
  private readonly router: ServiceRouter;
  /** Deadlines of the calls in flight, under one timer. */
  private readonly deadlines = new DeadlineList();
  private closing: Promise<void> | undefined;

  /**
   * @param source live instances of the service
   * @param options validated now; a bad one throws `ConsulOptionError` naming it
   * @param logger receives ejection/re-admission notices (never a token)
   * @param onClose called once when the client closes (`consul.http()` unregisters its closer
   *   from the Consul client there, so closed clients are not kept alive until the client closes)
   */
  constructor(
    readonly source: InstanceSource,
    options: ServiceClientOptions = {},
    logger: ConsulLogger = defaultLogger,
    private readonly onClose?: () => void,
  ) {
    if (typeof source !== 'object' || source === null || typeof source.instances !== 'function') {
      throw new ConsulOptionError('source', 'an InstanceSource', source);
    }
    this.service = source.name;
    this.options = resolveServiceClientOptions(options);
    this.balancer = this.options.balancer;
    const pools = new InstancePools(this.options);
    this.pools = pools;
    this.router = new ServiceRouter(
      this.service,
      source,
      this.balancer,
      {
        retryStatuses: this.options.retryStatuses,
        resend: this.options.retryNonIdempotent ? 'always' : 'idempotent',
        replayableBodyOnly: true,
      },
      this.options.ejection,
      logger,
      (instances) => pools.retain(instances),
      this.options.failover,
    );
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** IDs of the instances currently ejected. */
  ejectedInstances(): string[] {
    return [...this.router.ejected];
  }

  /**
   * Sends a request to an instance of the service. Resolves with the response of the last attempt
   * (a 5xx is returned, not thrown, once retries are exhausted or impossible). Rejects with
   * `ConsulNoInstanceError` when no instance can take the call, `ConsulTimeoutError` when the
   * deadline passes, the caller's abort reason, or the last attempt's undici error.
   */
  request(options: ServiceRequestOptions): Promise<Dispatcher.ResponseData> {
    return this.call((options.method ?? 'GET').toUpperCase(), options.path, options);
  }

  /** `GET path`. */
  get(path: string, options?: ServiceCallOptions): Promise<Dispatcher.ResponseData> {
    return this.call('GET', path, options);
  }

  /** `HEAD path`. */
  head(path: string, options?: ServiceCallOptions): Promise<Dispatcher.ResponseData> {
    return this.call('HEAD', path, options);
  }

  /** `POST path` (not retried once sent, unless `retryNonIdempotent`). */
  post(path: string, options?: ServiceCallOptions): Promise<Dispatcher.ResponseData> {
    return this.call('POST', path, options);
  }

  /** `PUT path`. */
  put(path: string, options?: ServiceCallOptions): Promise<Dispatcher.ResponseData> {
    return this.call('PUT', path, options);
  }

  /** `PATCH path` (not retried once sent, unless `retryNonIdempotent`). */
  patch(path: string, options?: ServiceCallOptions): Promise<Dispatcher.ResponseData> {
    return this.call('PATCH', path, options);
  }

  /** `DELETE path`. */
  delete(path: string, options?: ServiceCallOptions): Promise<Dispatcher.ResponseData> {
    return this.call('DELETE', path, options);
  }

  /**
   * Stops following the source, cancels re-admission timers and closes the instance pools (in-flight
   * calls finish first). Closes the source too when `closeSource` was set. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.onClose?.();
      this.router.close();
      await this.pools.close();
      if (this.options.closeSource) {
        this.source.close?.();
        for (const other of this.options.failover) other.close?.();
      }
    })();
    return this.closing;
  }

  /** @internal Builds the error of a call whose deadline passed ({@link CallSignal}). */
  timeoutError(method: string, path: string, timeoutMs: number): Error {
    const cause = discoveryFailure(this.source);
    return new ConsulTimeoutError(
      `${method} ${path} to service "${this.service}" did not complete within ${timeoutMs} ms` +
        (cause ? ` (discovery has no instance yet: ${cause.message})` : ''),
      { request: { method, path }, cause },
    );
  }

  private call(
    method: string,
    path: string,
    options: ServiceCallOptions | undefined,
  ): Promise<Dispatcher.ResponseData> {
    let call: CallSignal | undefined;
    try {
      if (this.closing) throw new ConsulClosedError(`ServiceClient of "${this.service}" is closed`);
      let timeoutMs = this.options.timeoutMs;
      let retries = this.options.retries;
      let userSignal: AbortSignal | undefined;
      if (options !== undefined) {
        if (options.timeout !== undefined) timeoutMs = toMillis(options.timeout, 'timeout');
        if (options.retries !== undefined) {
          retries = options.retries;
          if (!Number.isInteger(retries) || retries < 0) {
            throw new ConsulOptionError('retries', 'a non-negative integer', retries);
          }
        }
        userSignal = options.signal;
      }
      call = new CallSignal(this.deadlines, this, method, path, timeoutMs, userSignal);
      // The call signal stands in for an AbortSignal: undici subscribes through its
      // addEventListener/removeEventListener (see CallSignal for why it is not a real one).
      const signal = call as unknown as AbortSignal;
      // Built once for all attempts. With options, our own keys (hashKey, timeout, retries) ride
      // along: undici ignores options it does not know, and leaving them out would cost a copy.
      const dispatchOptions: Dispatcher.RequestOptions =
        options === undefined ? { path, method, signal } : { ...options, path, method, signal };
      const routed = new RoutedCall(dispatchOptions, options?.hashKey, retries);
      return this.router.send(routed, call, this.pools);
    } catch (err) {
      call?.release();
      return Promise.reject(err);
    }
  }
}
