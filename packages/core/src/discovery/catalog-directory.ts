import type { Consul } from '../consul';
import type { ServiceTarget } from '../http/host-match';
import type { ServiceDirectory } from '../http/interceptor';
import type { Watch } from '../watch/watch';

type ServiceList = Awaited<ReturnType<Consul['catalog']['services']>>;

/**
 * The catalog's service names per datacenter, followed by one shared blocking watch on
 * `/v1/catalog/services` each (started by the first single-label host that needs it), so
 * `consul.interceptor()` lets `http://redis/` pass through at once when no service has that name.
 * Only cold lookups reach it: a routed service with instances never asks.
 */
export class CatalogDirectory implements ServiceDirectory {
  private readonly watches = new Map<string, Watch<ServiceList>>();

  constructor(
    private readonly consul: Consul,
    /** The datacenter discovery uses for a service (`undefined`: the client's). */
    private readonly dcOf: (service: string) => string | undefined,
    /** Retry pacing while Consul is unreachable (discovery's). */
    private readonly backoff: { min: number; max: number },
  ) {}

  lists(target: ServiceTarget, signal: AbortSignal): boolean | Promise<boolean> {
    const watch = this.watchOf(target.dc ?? this.dcOf(target.service));
    const has = (list: ServiceList | undefined) =>
      list !== undefined && Object.hasOwn(list, target.service);
    if (watch.hasValue) return has(watch.current);
    return watch.ready({ signal }).then(has);
  }

  close(): void {
    for (const watch of this.watches.values()) void watch.stop();
    this.watches.clear();
  }

  private watchOf(dc: string | undefined): Watch<ServiceList> {
    const key = dc ?? '';
    const running = this.watches.get(key);
    if (running !== undefined && !running.stopped) return running;
    const watch = this.consul.watches.shared(
      `catalog:services:${key}`,
      (query) => this.consul.catalog.services({ ...query, dc }),
      { backoff: this.backoff },
    );
    this.watches.set(key, watch);
    return watch;
  }
}
