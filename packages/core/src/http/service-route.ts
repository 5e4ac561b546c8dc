import type { Dispatcher } from 'undici';
import type { Balancer, PickContext } from '../balancers/types';
import {
  DIAGNOSTIC_CHANNELS,
  hasSubscribers,
  publish,
  type HttpRetryMessage,
} from '../diagnostics';
import type { InstanceSource, ServiceInstance } from '../discovery/instance';
import { ConsulNoInstanceError } from '../errors';
import type { ConsulLogger } from '../logger';
import type { LogicalOrigin, RouteTarget } from './discovery-handler';
import { classifyError } from './failures';
import { withHostHeader } from './headers';
import type { ResolvedEjection } from './options';
import { OutlierDetector } from './outlier';

/**
 * Per-service routing state of the discovery interceptor: the instance source, its balancer and
 * outlier detector, and how a request addressed to the logical origin is re-aimed at an instance.
 */
export class ServiceRoute implements RouteTarget {
  private readonly outliers: OutlierDetector | undefined;
  private readonly onChange: (instances: readonly ServiceInstance[]) => void;
  /** In-flight wait for the first instances (shared by concurrent cold requests). */
  ready: Promise<void> | undefined;

  constructor(
    readonly service: string,
    readonly source: InstanceSource,
    readonly balancer: Balancer,
    ejection: ResolvedEjection | undefined,
    private readonly preserveHost: boolean,
    private readonly logger: ConsulLogger,
  ) {
    this.outliers = ejection ? new OutlierDetector(service, ejection, logger) : undefined;
    this.onChange = (instances) => this.outliers?.retain(new Set(instances.map((i) => i.id)));
    source.on('change', this.onChange);
  }

  /** Picks an instance for a new request and tells the balancer it starts. */
  pick(request: Dispatcher.DispatchOptions): ServiceInstance | undefined {
    return this.choose(
      { request: { method: request.method, path: request.path, headers: request.headers } },
      undefined,
    );
  }

  alternative(failed: ServiceInstance): ServiceInstance | undefined {
    return this.choose({}, new Set([failed.id]));
  }

  record(instance: ServiceInstance, latencyMs: number, statusCode?: number, error?: unknown): void {
    this.balancer.onEnd?.(instance, { latencyMs, statusCode, error });
    if (error !== undefined || (statusCode !== undefined && statusCode >= 500)) {
      // Only instance faults count: an abort by the caller is not the instance's failure.
      if (error === undefined || classifyError(error).instanceFault) {
        this.outliers?.failure(instance, this.source.instances().length);
      }
    } else {
      this.outliers?.success(instance);
    }
  }

  optionsFor(
    original: Dispatcher.DispatchOptions,
    logical: LogicalOrigin,
    instance: ServiceInstance,
  ): Dispatcher.DispatchOptions {
    const secure = logical.protocol === 'https:' || instance.meta.scheme?.toLowerCase() === 'https';
    const host = instance.address.includes(':') ? `[${instance.address}]` : instance.address;
    const origin = `${secure ? 'https' : 'http'}://${host}:${instance.port}`;
    if (!this.preserveHost) return { ...original, origin };
    const options: Dispatcher.DispatchOptions & { servername?: string } = {
      ...original,
      origin,
      headers: withHostHeader(original.headers, logical.host),
    };
    // TLS: verify the instance against the logical name, as a client of the name would.
    if (secure) options.servername = logical.hostname;
    return options;
  }

  redispatched(
    original: Dispatcher.DispatchOptions,
    failed: ServiceInstance,
    reason: string,
  ): void {
    this.logger.debug(
      `consulkit: re-dispatching ${original.method} ${original.path} to another instance`,
      {
        service: this.service,
        instance: failed.id,
        reason,
      },
    );
    if (!hasSubscribers(DIAGNOSTIC_CHANNELS.httpRetry)) return;
    publish(DIAGNOSTIC_CHANNELS.httpRetry, {
      service: this.service,
      method: original.method,
      path: original.path,
      instance: { id: failed.id, address: failed.address, port: failed.port },
      attempt: 1,
      reason,
    } satisfies HttpRetryMessage);
  }

  /** The typed error for "nothing to route to". */
  noInstance(detail?: string): ConsulNoInstanceError {
    const known = this.source.instances().length;
    return new ConsulNoInstanceError(
      this.service,
      detail ?? (known === 0 ? 'no instance is passing' : `none of ${known} instances is eligible`),
    );
  }

  /** Detaches from the source and cancels re-admission timers. */
  close(): void {
    this.source.off('change', this.onChange);
    this.outliers?.close();
  }

  /** Balancer pick excluding tried and ejected instances; ignores ejection rather than fail. */
  private choose(
    ctx: PickContext,
    tried: ReadonlySet<string> | undefined,
  ): ServiceInstance | undefined {
    const instances = this.source.instances();
    const ejected = this.outliers?.ejected;
    const anyEjected = ejected !== undefined && ejected.size > 0;
    if (anyEjected && tried) ctx.exclude = new Set([...ejected, ...tried]);
    else ctx.exclude = anyEjected ? ejected : tried;
    let picked = this.balancer.pick(instances, ctx);
    if (picked === undefined && anyEjected) {
      ctx.exclude = tried;
      picked = this.balancer.pick(instances, ctx);
    }
    if (picked !== undefined) this.balancer.onStart?.(picked);
    return picked;
  }
}
