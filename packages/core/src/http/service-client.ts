import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { Balancer, PickContext } from '../balancers/types';
import {
  DIAGNOSTIC_CHANNELS,
  hasSubscribers,
  publish,
  type HttpNoInstanceMessage,
  type HttpRetryMessage,
} from '../diagnostics';
import type { InstanceSource, ServiceInstance } from '../discovery/instance';
import { toMillis, type Duration } from '../duration';
import {
  ConsulClosedError,
  ConsulConfigError,
  ConsulNoInstanceError,
  ConsulTimeoutError,
} from '../errors';
import { defaultLogger, type ConsulLogger } from '../logger';
import { CallSignal } from './call-signal';
import { DeadlineList } from './deadlines';
import { classifyError, isIdempotent, isReplayable } from './failures';
import {
  resolveServiceClientOptions,
  type ResolvedServiceClientOptions,
  type ServiceClientOptions,
} from './options';
import { OutlierDetector } from './outlier';
import { InstancePools } from './pools';

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
  private readonly outliers: OutlierDetector | undefined;
  /** Deadlines of the calls in flight, under one timer. */
  private readonly deadlines = new DeadlineList();
  private readonly onChange: (instances: readonly ServiceInstance[]) => void;
  private closing: Promise<void> | undefined;

  /**
   * @param source live instances of the service
   * @param options validated now; a bad one throws `ConsulConfigError` naming it
   * @param logger receives ejection/re-admission notices (never a token)
   * @param onClose called once when the client closes (`consul.http()` unregisters its closer
   *   from the Consul client there, so closed clients are not kept alive until the client closes)
   */
  constructor(
    readonly source: InstanceSource,
    options: ServiceClientOptions = {},
    private readonly logger: ConsulLogger = defaultLogger,
    private readonly onClose?: () => void,
  ) {
    if (typeof source !== 'object' || source === null || typeof source.instances !== 'function') {
      throw new ConsulConfigError('source', 'an InstanceSource', source);
    }
    this.service = source.name;
    this.options = resolveServiceClientOptions(options);
    this.balancer = this.options.balancer;
    this.pools = new InstancePools(this.options);
    this.outliers = this.options.ejection
      ? new OutlierDetector(this.service, this.options.ejection, logger)
      : undefined;
    this.onChange = (instances) => {
      this.pools.retain(instances);
      this.outliers?.retain(new Set(instances.map((i) => i.id)));
    };
    source.on('change', this.onChange);
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** IDs of the instances currently ejected. */
  ejectedInstances(): string[] {
    return [...(this.outliers?.ejected ?? [])];
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
      this.source.off('change', this.onChange);
      this.outliers?.close();
      await this.pools.close();
      if (this.options.closeSource) this.source.close?.();
    })();
    return this.closing;
  }

  /** @internal Builds the error of a call whose deadline passed ({@link CallSignal}). */
  timeoutError(method: string, path: string, timeoutMs: number): Error {
    return new ConsulTimeoutError(
      `${method} ${path} to service "${this.service}" did not complete within ${timeoutMs} ms`,
      { request: { method, path } },
    );
  }

  private call(
    method: string,
    path: string,
    options: ServiceCallOptions | undefined,
  ): Promise<Dispatcher.ResponseData> {
    let call: CallSignal;
    let retries = this.options.retries;
    try {
      if (this.closing) throw new ConsulClosedError(`ServiceClient of "${this.service}" is closed`);
      let timeoutMs = this.options.timeoutMs;
      let signal: AbortSignal | undefined;
      if (options !== undefined) {
        if (options.timeout !== undefined) timeoutMs = toMillis(options.timeout, 'timeout');
        if (options.retries !== undefined) {
          retries = options.retries;
          if (!Number.isInteger(retries) || retries < 0) {
            throw new ConsulConfigError('retries', 'a non-negative integer', retries);
          }
        }
        signal = options.signal;
      }
      call = new CallSignal(this.deadlines, this, method, path, timeoutMs, signal);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.send(method, path, options, retries, call);
  }

  /**
   * Runs the attempts of one call. The success path is kept lean on purpose (one async frame, no
   * closure, no clock read, no option copying): every allocation here is a measurable share of a
   * pooled request (bench/discovery). Failure handling only runs on failures.
   */
  private async send(
    method: string,
    path: string,
    options: ServiceCallOptions | undefined,
    retries: number,
    call: CallSignal,
  ): Promise<Dispatcher.ResponseData> {
    try {
      let instances = this.source.instances();
      if (instances.length === 0) {
        await this.source.ready(call.toAbortSignal());
        instances = this.source.instances();
      }
      // The call signal stands in for an AbortSignal: undici subscribes through its
      // addEventListener/removeEventListener (see CallSignal for why it is not a real one).
      const signal = call as unknown as AbortSignal;
      // Built once for all attempts. With options, our own keys (hashKey, timeout, retries) ride
      // along: undici ignores options it does not know, and leaving them out would cost a copy.
      const dispatchOptions: Dispatcher.RequestOptions =
        options === undefined ? { path, method, signal } : { ...options, path, method, signal };
      const ctx: PickContext = {
        key: options?.hashKey,
        exclude: undefined,
        request: { method, path, headers: options?.headers },
      };
      // Latency is read only for balancers that use it (two clock reads per call otherwise).
      const timed = this.balancer.onEnd !== undefined;
      const outliers = this.outliers;
      let tried: Set<string> | undefined;
      const first = this.choose(instances, ctx, tried);
      if (first === undefined) throw this.noInstance(method, path, instances.length);
      let instance: ServiceInstance = first;

      for (let attempt = 0; ; attempt++) {
        const dispatcher = this.pools.get(instance);
        this.balancer.onStart?.(instance);
        const started = timed ? performance.now() : 0;
        call.dispatching();
        let response: Dispatcher.ResponseData;
        try {
          response = await dispatcher.request(dispatchOptions);
        } catch (err) {
          if (timed) {
            this.balancer.onEnd?.(instance, { latencyMs: performance.now() - started, error: err });
          }
          if (call.aborted) throw err;
          const kind = classifyError(err);
          if (kind.instanceFault) outliers?.failure(instance, instances.length);
          const next: ServiceInstance | undefined =
            kind.retryable &&
            attempt < retries &&
            isReplayable(options?.body) &&
            (kind.notSent || this.repeatable(method))
              ? this.nextInstance(ctx, (tried ??= new Set()), instance)
              : undefined;
          if (next === undefined) throw err;
          this.retried(method, path, instance, attempt + 1, kind.reason);
          instances = this.source.instances();
          instance = next;
          continue;
        }
        const statusCode = response.statusCode;
        if (timed) {
          this.balancer.onEnd?.(instance, { latencyMs: performance.now() - started, statusCode });
        }
        if (outliers !== undefined) {
          if (statusCode >= 500) outliers.failure(instance, instances.length);
          else outliers.success(instance);
        }
        if (
          attempt >= retries ||
          !this.options.retryStatuses.has(statusCode) ||
          !isReplayable(options?.body) ||
          !this.repeatable(method)
        ) {
          call.handOut(response.body);
          return response;
        }
        const next = this.nextInstance(ctx, (tried ??= new Set()), instance);
        if (next === undefined) {
          call.handOut(response.body);
          return response;
        }
        // Drain the failed body so its connection goes back to the pool.
        await response.body.dump().catch(() => undefined);
        if (call.aborted) throw call.timeoutError ?? call.reason;
        this.retried(method, path, instance, attempt + 1, String(statusCode));
        instances = this.source.instances();
        instance = next;
      }
    } catch (err) {
      call.release();
      throw call.timeoutError ?? err;
    }
  }

  /** Whether a method may be sent again after it may have reached the instance. */
  private repeatable(method: string): boolean {
    return this.options.retryNonIdempotent || isIdempotent(method);
  }

  /** Picks an instance for a retry, never one already tried. */
  private nextInstance(
    ctx: PickContext,
    tried: Set<string>,
    failed: ServiceInstance,
  ): ServiceInstance | undefined {
    tried.add(failed.id);
    return this.choose(this.source.instances(), ctx, tried);
  }

  /**
   * Asks the balancer, excluding tried and ejected instances. If ejection leaves nothing (every
   * remaining instance ejected), ejection is ignored: a possibly-bad instance beats certain failure.
   */
  private choose(
    instances: readonly ServiceInstance[],
    ctx: PickContext,
    tried: ReadonlySet<string> | undefined,
  ): ServiceInstance | undefined {
    const ejected = this.outliers?.ejected;
    const anyEjected = ejected !== undefined && ejected.size > 0;
    const anyTried = tried !== undefined && tried.size > 0;
    if (anyEjected && anyTried) ctx.exclude = new Set([...ejected, ...tried]);
    else ctx.exclude = anyEjected ? ejected : anyTried ? tried : undefined;
    const picked = this.balancer.pick(instances, ctx);
    if (picked !== undefined || !anyEjected) return picked;
    ctx.exclude = tried;
    return this.balancer.pick(instances, ctx);
  }

  private noInstance(method: string, path: string, known: number): ConsulNoInstanceError {
    if (hasSubscribers(DIAGNOSTIC_CHANNELS.httpNoInstance)) {
      publish(DIAGNOSTIC_CHANNELS.httpNoInstance, {
        service: this.service,
        method,
        path,
      } satisfies HttpNoInstanceMessage);
    }
    return new ConsulNoInstanceError(
      this.service,
      known === 0 ? 'no instance is passing' : `none of ${known} instances is eligible`,
    );
  }

  private retried(
    method: string,
    path: string,
    instance: ServiceInstance,
    attempt: number,
    reason: string,
  ): void {
    this.logger.debug(`consulkit: retrying ${method} ${path} on another instance`, {
      service: this.service,
      instance: instance.id,
      attempt,
      reason,
    });
    if (!hasSubscribers(DIAGNOSTIC_CHANNELS.httpRetry)) return;
    publish(DIAGNOSTIC_CHANNELS.httpRetry, {
      service: this.service,
      method,
      path,
      instance: { id: instance.id, address: instance.address, port: instance.port },
      attempt,
      reason,
    } satisfies HttpRetryMessage);
  }
}
