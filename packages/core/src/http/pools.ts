import { Pool, type Dispatcher } from 'undici';
import { instanceOrigin, type ServiceInstance } from '../models/service-instance';
import type { ResolvedServiceClientOptions } from './service-client-options';
import type { AttemptTransport, RoutedCall } from './router';

/**
 * One undici dispatcher per instance origin, created on first use and closed (gracefully: in-flight
 * calls finish) when the instance leaves the service's set. The `ServiceClient`'s transport: each
 * attempt is a `request()` on the instance's dispatcher.
 */
export class InstancePools implements AttemptTransport<RoutedCall<Dispatcher.RequestOptions>> {
  private readonly pools = new Map<string, Dispatcher>();
  // Instance objects are stable between set changes: skip building the origin string per call.
  private byInstance = new WeakMap<ServiceInstance, Dispatcher>();

  constructor(private readonly options: ResolvedServiceClientOptions) {}

  /** The dispatcher for `instance`, created on first use. */
  get(instance: ServiceInstance): Dispatcher {
    const cached = this.byInstance.get(instance);
    if (cached !== undefined) return cached;
    const origin = instanceOrigin(instance);
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      pool = this.create(origin);
      this.pools.set(origin, pool);
    }
    this.byInstance.set(instance, pool);
    return pool;
  }

  /** Sends one attempt of `call` to `instance`. */
  attempt(
    instance: ServiceInstance,
    call: RoutedCall<Dispatcher.RequestOptions>,
  ): Promise<Dispatcher.ResponseData> {
    return this.get(instance).request(call.options);
  }

  /** Number of live pools. */
  get size(): number {
    return this.pools.size;
  }

  /** Closes the pools of origins that are no longer in `instances`. */
  retain(instances: readonly ServiceInstance[]): void {
    this.byInstance = new WeakMap();
    if (this.pools.size === 0) return;
    const live = new Set(instances.map(instanceOrigin));
    for (const [origin, pool] of this.pools) {
      if (live.has(origin)) continue;
      this.pools.delete(origin);
      pool.close().catch(() => undefined);
    }
  }

  /** Closes every pool, waiting for in-flight calls. */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    this.byInstance = new WeakMap();
    await Promise.allSettled(pools.map((p) => p.close()));
  }

  private create(origin: string): Dispatcher {
    if (this.options.factory) return this.options.factory(origin);
    const tls = this.options.tls;
    return new Pool(origin, {
      ...this.options.pool,
      connections: this.options.connections,
      connect:
        tls && origin.startsWith('https:')
          ? {
              ca: tls.ca as string | Buffer | Array<string | Buffer> | undefined,
              cert: tls.cert,
              key: tls.key,
              servername: tls.servername,
              rejectUnauthorized: tls.rejectUnauthorized,
            }
          : undefined,
    });
  }
}
