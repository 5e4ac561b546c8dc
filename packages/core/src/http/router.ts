import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { Balancer, BalancerRequest, PickContext } from '../balancers/types';
import {
  DIAGNOSTIC_CHANNELS,
  hasSubscribers,
  publish,
  type HttpNoInstanceMessage,
  type HttpRetryMessage,
} from '../diagnostics';
import type { InstanceSource, ServiceInstance } from '../models/service-instance';
import { ConsulNoInstanceError } from '../errors';
import type { ConsulLogger } from '../logger';
import type { CallSignal } from './call-signal';
import { classifyError, isIdempotent, isReplayable } from './failures';
import type { ResolvedEjection } from './service-client-options';
import { OutlierDetector } from './outlier';

/** When a failed attempt may be repeated on another instance (beyond the call's retry budget). */
export interface RetryPolicy {
  /** Statuses that count as a failed attempt worth repeating elsewhere. */
  retryStatuses: ReadonlySet<number>;
  /**
   * Whether a request that may have reached the instance is sent again: `'never'` (only failures
   * before anything left are retried), `'idempotent'` (RFC 9110 idempotent methods) or `'always'`.
   */
  resend: 'never' | 'idempotent' | 'always';
  /** Whether a body that cannot be replayed (a stream) rules out every retry. */
  replayableBodyOnly: boolean;
}

/** What the router reads of a call's request options (undici's request and dispatch options). */
export interface RoutedRequest {
  method: string;
  path: string;
  headers?: Dispatcher.DispatchOptions['headers'];
  body?: unknown;
}

/**
 * One call going through a {@link ServiceRouter}, across its attempts. It is the balancer's pick
 * context itself, so routing a call allocates no context of its own.
 */
export class RoutedCall<O extends RoutedRequest = RoutedRequest> implements PickContext {
  /** Excluded instances of the pick in progress (set by the router). */
  exclude: ReadonlySet<string> | undefined = undefined;
  /** The call, as balancers see it. */
  readonly request: BalancerRequest;
  /** The instance of the current attempt (set by {@link ServiceRouter.start}). */
  instance: ServiceInstance | undefined = undefined;
  /** 0 for the first attempt. */
  attempt = 0;
  /** Instances already tried (created at the first retry). */
  tried: Set<string> | undefined = undefined;
  /** `performance.now()` at the start of the attempt, read only for balancers that use latency. */
  startedAt = 0;
  /** Why the next attempt is a retry (the error code or the status). */
  retryReason = '';

  /**
   * @param options the request options, sent unchanged by the call's transport
   * @param key affinity key for `consistentHash` balancers
   * @param retries extra attempts allowed after the first
   */
  constructor(
    readonly options: O,
    readonly key: string | undefined,
    readonly retries: number,
  ) {
    this.request = { method: options.method, path: options.path, headers: options.headers };
  }

  /** HTTP method of the call. */
  get method(): string {
    return this.options.method;
  }

  /** Path (and query) of the call. */
  get path(): string {
    return this.options.path;
  }
}

/**
 * Sends one attempt of a call to an instance: the seam where a transport plugs into
 * {@link ServiceRouter.send}. Today the client's undici pool per instance; a transport with other
 * credentials per instance (Connect mTLS) or one that reads whole bodies implements it the same
 * way, and keeps the router's choice, ejection and retries.
 */
export interface AttemptTransport<C extends RoutedCall> {
  attempt(instance: ServiceInstance, call: C): Promise<Dispatcher.ResponseData>;
}

/**
 * The routing of one service's calls, shared by the `ServiceClient` and the discovery interceptor:
 * chooses an instance with the balancer (skipping ejected and already-tried ones), keeps the
 * balancer and the outlier detector informed of every attempt's outcome, decides whether a failed
 * attempt is repeated on another instance, and reports retries and "no instance" (logs,
 * diagnostics channels, {@link ConsulNoInstanceError}).
 *
 * Callers drive the attempts: {@link send} for promise transports (the client), or the steps
 * {@link pick}, {@link start}, {@link failed}, {@link answered} and {@link retry} from a handler
 * (the interceptor). Which instances a call may go to is decided in {@link pick} and the retry
 * pick alone, so a wider choice (another datacenter's instances) belongs there, for both.
 *
 * Datacenter failover (`failover` sources, in order): when no local instance is eligible (none
 * passing, all ejected, or all already tried by this call), the pick goes to the first failover
 * source with an eligible instance. Every pick tries the local source first, so traffic returns to
 * the local datacenter as soon as it has an eligible instance again. Without failover sources the
 * pick is the single-source one, unchanged.
 */
export class ServiceRouter {
  private readonly outliers: OutlierDetector | undefined;
  private readonly onChange: (instances: readonly ServiceInstance[]) => void;
  /** Whether the balancer wants latencies (two clock reads per attempt otherwise saved). */
  private readonly timed: boolean;
  /** Sources of the next datacenters, in order; `undefined` without failover (the lean path). */
  private readonly failover: readonly InstanceSource[] | undefined;

  /**
   * @param onInstances also told of every change of the instance set (the client's pools); with
   *   failover, of the instances of all sources together
   * @param failover sources of other datacenters, tried in order when no local instance is eligible
   */
  constructor(
    readonly service: string,
    readonly source: InstanceSource,
    readonly balancer: Balancer,
    private readonly policy: RetryPolicy,
    ejection: ResolvedEjection | undefined,
    private readonly logger: ConsulLogger,
    onInstances?: (instances: readonly ServiceInstance[]) => void,
    failover: readonly InstanceSource[] = [],
  ) {
    this.timed = balancer.onEnd !== undefined;
    const outliers = ejection ? new OutlierDetector(service, ejection, logger) : undefined;
    this.outliers = outliers;
    this.failover = failover.length > 0 ? [...failover] : undefined;
    const retain = (instances: readonly ServiceInstance[]) => {
      onInstances?.(instances);
      outliers?.retain(new Set(instances.map((i) => i.id)));
    };
    // With failover, pools and ejection state are kept for the instances of every source: a change
    // of one datacenter must not drop another's.
    this.onChange = this.failover === undefined ? retain : () => retain(this.allInstances());
    source.on('change', this.onChange);
    for (const other of this.failover ?? []) other.on('change', this.onChange);
  }

  /** IDs of the instances currently ejected. */
  get ejected(): ReadonlySet<string> {
    return this.outliers?.ejected ?? NONE;
  }

  /**
   * Runs the attempts of a call through `transport`: waits for the first instances when none is
   * known yet, retries on another instance as the policy allows, and resolves with the response
   * of the last attempt (a 5xx is returned, not thrown, once retries are exhausted or impossible).
   *
   * The success path is kept lean on purpose (one async frame, no closure, no clock read unless
   * the balancer wants latency): every allocation here is a measurable share of a pooled request
   * (bench/discovery). Failure handling only runs on failures.
   */
  async send<C extends RoutedCall>(
    call: C,
    signal: CallSignal,
    transport: AttemptTransport<C>,
  ): Promise<Dispatcher.ResponseData> {
    try {
      let instances = this.source.instances();
      if (instances.length === 0) {
        await this.source.ready(signal.toAbortSignal());
        instances = this.source.instances();
      }
      let instance = this.pick(call, instances);
      if (instance === undefined && this.failover !== undefined) {
        instance = await this.pickAfterFailoverReady(call, signal);
      }
      if (instance === undefined) throw this.noInstance(call.method, call.path);
      for (;;) {
        this.start(call, instance);
        signal.dispatching();
        let response: Dispatcher.ResponseData;
        try {
          response = await transport.attempt(instance, call);
        } catch (err) {
          const next = this.failed(call, err, signal.aborted);
          if (next === undefined) throw err;
          this.retry(call);
          instance = next;
          continue;
        }
        const next = this.answered(call, response.statusCode);
        if (next === undefined) {
          signal.handOut(response.body);
          return response;
        }
        // Drain the failed body so its connection goes back to the pool.
        await response.body.dump().catch(() => undefined);
        if (signal.aborted) throw signal.timeoutError ?? signal.reason;
        this.retry(call);
        instance = next;
      }
    } catch (err) {
      signal.release();
      throw signal.timeoutError ?? err;
    }
  }

  /** The instance of a call's first attempt, or `undefined` when none is eligible. */
  pick(call: RoutedCall, instances = this.source.instances()): ServiceInstance | undefined {
    if (this.failover !== undefined) return this.chooseAcross(instances, call);
    return this.choose(instances, call);
  }

  /** An attempt of `call` to `instance` starts. */
  start(call: RoutedCall, instance: ServiceInstance): void {
    call.instance = instance;
    this.balancer.onStart?.(instance);
    if (this.timed) call.startedAt = performance.now();
  }

  /**
   * The current attempt failed before a response. Records it and returns the instance to retry on,
   * or `undefined` when the error goes to the caller (`aborted`: the caller or the deadline
   * stopped the call, which is no instance's fault).
   */
  failed(call: RoutedCall, error: unknown, aborted: boolean): ServiceInstance | undefined {
    const instance = call.instance as ServiceInstance;
    if (this.timed) {
      this.balancer.onEnd?.(instance, { latencyMs: performance.now() - call.startedAt, error });
    }
    if (aborted) return undefined;
    const kind = classifyError(error);
    if (kind.instanceFault) this.outliers?.failure(instance, this.population());
    if (!kind.retryable || !this.mayRepeat(call) || !(kind.notSent || this.mayResend(call))) {
      return undefined;
    }
    return this.next(call, kind.reason);
  }

  /**
   * The current attempt got a response. Records it and returns the instance to retry on, or
   * `undefined` when the response goes to the caller.
   */
  answered(call: RoutedCall, statusCode: number): ServiceInstance | undefined {
    const instance = call.instance as ServiceInstance;
    if (this.timed) {
      this.balancer.onEnd?.(instance, {
        latencyMs: performance.now() - call.startedAt,
        statusCode,
      });
    }
    const outliers = this.outliers;
    if (outliers !== undefined) {
      if (statusCode >= 500) outliers.failure(instance, this.population());
      else outliers.success(instance);
    }
    if (
      call.attempt >= call.retries ||
      !this.policy.retryStatuses.has(statusCode) ||
      !this.mayRepeat(call) ||
      !this.mayResend(call)
    ) {
      return undefined;
    }
    return this.next(call, String(statusCode));
  }

  /**
   * The call goes on to another instance (from {@link failed} or {@link answered}; {@link start}
   * follows): counts the attempt and reports the retry.
   */
  retry(call: RoutedCall): void {
    const failed = call.instance as ServiceInstance;
    call.attempt += 1;
    const { method, path } = call;
    const reason = call.retryReason;
    this.logger.debug(`consulkit: retrying ${method} ${path} on another instance`, {
      service: this.service,
      instance: failed.id,
      attempt: call.attempt,
      reason,
    });
    if (!hasSubscribers(DIAGNOSTIC_CHANNELS.httpRetry)) return;
    publish(DIAGNOSTIC_CHANNELS.httpRetry, {
      service: this.service,
      method,
      path,
      instance: { id: failed.id, address: failed.address, port: failed.port },
      attempt: call.attempt,
      reason,
    } satisfies HttpRetryMessage);
  }

  /** The typed error for "nothing to route to", reported on the no-instance channel. */
  noInstance(method: string, path: string, detail?: string): ConsulNoInstanceError {
    if (hasSubscribers(DIAGNOSTIC_CHANNELS.httpNoInstance)) {
      publish(DIAGNOSTIC_CHANNELS.httpNoInstance, {
        service: this.service,
        method,
        path,
      } satisfies HttpNoInstanceMessage);
    }
    const known = this.source.instances().length;
    return new ConsulNoInstanceError(
      this.service,
      detail ?? (known === 0 ? 'no instance is passing' : `none of ${known} instances is eligible`),
    );
  }

  /** Stops following the source and cancels re-admission timers. */
  close(): void {
    this.source.off('change', this.onChange);
    for (const other of this.failover ?? []) other.off('change', this.onChange);
    this.outliers?.close();
  }

  /** Whether the call's retry budget and body allow another attempt. */
  private mayRepeat(call: RoutedCall): boolean {
    return (
      call.attempt < call.retries &&
      (!this.policy.replayableBodyOnly || isReplayable(call.options.body))
    );
  }

  /** Whether the call may be sent again after it may have reached the instance. */
  private mayResend(call: RoutedCall): boolean {
    const resend = this.policy.resend;
    return resend === 'always' || (resend === 'idempotent' && isIdempotent(call.method));
  }

  /** Picks an instance for a retry, never one already tried; notes why. */
  private next(call: RoutedCall, reason: string): ServiceInstance | undefined {
    (call.tried ??= new Set()).add((call.instance as ServiceInstance).id);
    call.retryReason = reason;
    const instances = this.source.instances();
    if (this.failover !== undefined) return this.chooseAcross(instances, call);
    return this.choose(instances, call);
  }

  /** Instances that ejection limits count: the local ones, or those of every source with failover. */
  private population(): number {
    return this.failover === undefined
      ? this.source.instances().length
      : this.allInstances().length;
  }

  /** The instances of the local source followed by those of every failover source. */
  private allInstances(): ServiceInstance[] {
    const all = [...this.source.instances()];
    for (const other of this.failover ?? []) all.push(...other.instances());
    return all;
  }

  /**
   * A pick found nothing among the instances known now: waits for the failover sources' first
   * snapshots (the local one is loaded already) and picks again, so a first call made while the
   * local datacenter has no instance goes to the next one instead of failing.
   */
  private async pickAfterFailoverReady(
    call: RoutedCall,
    signal: CallSignal,
  ): Promise<ServiceInstance | undefined> {
    for (const other of this.failover ?? []) {
      if (other.instances().length > 0) continue;
      await other.ready(signal.toAbortSignal());
    }
    return this.chooseAcross(this.source.instances(), call);
  }

  /**
   * The failover pick: the first source (local first) with an eligible instance, skipping tried and
   * ejected ones; then, as in {@link choose}, ejection is ignored (tried instances still excluded)
   * rather than failing, in the same order.
   */
  private chooseAcross(
    local: readonly ServiceInstance[],
    call: RoutedCall,
  ): ServiceInstance | undefined {
    const sources = this.failover ?? [];
    const ejected = this.outliers?.ejected;
    const tried = call.tried;
    const anyEjected = ejected !== undefined && ejected.size > 0;
    call.exclude =
      anyEjected && tried !== undefined
        ? new Set([...ejected, ...tried])
        : anyEjected
          ? ejected
          : tried;
    let picked = this.balancer.pick(local, call);
    for (let i = 0; picked === undefined && i < sources.length; i += 1) {
      picked = this.balancer.pick((sources[i] as InstanceSource).instances(), call);
    }
    if (picked !== undefined || !anyEjected) return picked;
    call.exclude = tried;
    picked = this.balancer.pick(local, call);
    for (let i = 0; picked === undefined && i < sources.length; i += 1) {
      picked = this.balancer.pick((sources[i] as InstanceSource).instances(), call);
    }
    return picked;
  }

  /**
   * Asks the balancer, excluding tried and ejected instances. If ejection leaves nothing (every
   * remaining instance ejected), ejection is ignored: a possibly-bad instance beats certain failure.
   */
  private choose(
    instances: readonly ServiceInstance[],
    call: RoutedCall,
  ): ServiceInstance | undefined {
    const ejected = this.outliers?.ejected;
    const tried = call.tried;
    const anyEjected = ejected !== undefined && ejected.size > 0;
    const anyTried = tried !== undefined && tried.size > 0;
    if (anyEjected && anyTried) call.exclude = new Set([...ejected, ...tried]);
    else call.exclude = anyEjected ? ejected : anyTried ? tried : undefined;
    const picked = this.balancer.pick(instances, call);
    if (picked !== undefined || !anyEjected) return picked;
    call.exclude = tried;
    return this.balancer.pick(instances, call);
  }
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Why a source has no instance, when it has none and its last load failed (a misnamed `dc`, an
 * unreachable agent): a call that timed out waiting for it says so instead of a bare timeout.
 */
export function discoveryFailure(source: InstanceSource): Error | undefined {
  return source.instances().length === 0 ? source.lastError : undefined;
}
