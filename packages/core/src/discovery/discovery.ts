import type { Consul } from '../consul';
import { type Duration, toMillis } from '../duration';
import { tagQuery } from '../endpoints/health';
import { ConsulOptionError } from '../errors';
import {
  createDiscoveryInterceptor,
  type DiscoveryInterceptor,
  type DiscoveryInterceptorOptions,
  INTERCEPTOR_OPTION_KEYS,
} from '../http/interceptor';
import type { ServiceTarget } from '../http/host-match';
import { ServiceClient } from '../http/service-client';
import {
  SERVICE_CLIENT_OPTION_KEYS,
  type ServiceClientOptions,
} from '../http/service-client-options';
import {
  validateKnownOptions,
  checkObject,
  optionalBoolean,
  optionalString,
  optionKeys,
} from '../models/validate';
import { CatalogDirectory } from './catalog-directory';
import { datacenterSource } from './datacenter-source';
import type { InstanceSource } from '../models/service-instance';
import { ServiceCache, SharedInstances } from './service-cache';

/** Options of `consul.discovery.service(name, options)`. */
export interface DiscoveryServiceOptions {
  /** Only instances carrying this tag (all of them, for a list). */
  tag?: string | readonly string[];
  /** Datacenter to discover in (default: the client's). */
  dc?: string;
  /**
   * Only instances whose every check passes, node checks and maintenance included (`?passing`).
   * Default true. With `false`, warning and critical instances are listed with their `status`, and
   * balancers weigh them by Consul's rule (warning → `weights.warning`, critical → no traffic).
   */
  passingOnly?: boolean;
  /** Boolean expression over the health entries (`filter=`), e.g. `Service.Meta.version == "2"`. */
  filter?: string;
  /** Sort by round-trip time from this node (`_agent` for the local agent). */
  near?: string;
  /** Let any server answer (`?stale`): spreads discovery load off the leader. */
  stale?: boolean;
  /** Serve from the agent cache (`?cached`): one upstream watch per agent for all its clients. */
  cached?: boolean;
  /** Longest blocking query. Default `'60s'`. Set by the first cache of a query. */
  wait?: Duration;
}

const OPTION_KEYS = optionKeys<DiscoveryServiceOptions>({
  tag: true,
  dc: true,
  passingOnly: true,
  filter: true,
  near: true,
  stale: true,
  cached: true,
  wait: true,
});
/**
 * Retry pacing of discovery watches while Consul is unreachable: quicker than the generic watch
 * default (1–30 s) so a returning local agent is seen within seconds; the local agent absorbs it.
 */
export const DISCOVERY_BACKOFF = { min: 250, max: 5_000 } as const;

/** {@link DiscoveryServiceOptions} after validation, tags sorted (their order does not matter). */
interface ResolvedDiscoveryOptions {
  tags: string[] | undefined;
  dc: string | undefined;
  passing: boolean;
  filter: string | undefined;
  near: string | undefined;
  stale: boolean;
  cached: boolean;
  wait: Duration | undefined;
}

/** Validates discovery options; a bad one throws `ConsulOptionError` naming it (`options.tag`). */
export function resolveDiscoveryOptions(options: unknown): ResolvedDiscoveryOptions {
  const o = checkObject(options, 'options');
  validateKnownOptions(o, OPTION_KEYS, 'options');
  const tags = tagQuery(o.tag, 'options.tag');
  if (o.wait !== undefined) toMillis(o.wait as Duration, 'options.wait');
  return {
    tags: tags ? [...tags].sort() : undefined,
    dc: optionalString(o.dc, 'options.dc', true),
    passing: optionalBoolean(o.passingOnly, 'options.passingOnly') ?? true,
    filter: optionalString(o.filter, 'options.filter', true),
    near: optionalString(o.near, 'options.near', true),
    stale: optionalBoolean(o.stale, 'options.stale') ?? false,
    cached: optionalBoolean(o.cached, 'options.cached') ?? false,
    wait: o.wait as Duration | undefined,
  };
}

/**
 * `consul.discovery`: watch-backed instance caches, one shared watch per distinct query,
 * ref-counted and released when the last cache of the query is closed.
 */
export class Discovery {
  private readonly queries = new Map<string, SharedInstances>();

  /** @internal Created by the `Consul` client. */
  constructor(private readonly consul: Consul) {}

  /** Distinct queries currently watched. */
  get size(): number {
    return this.queries.size;
  }

  /**
   * A cache of the (by default passing) instances of `name`. Caches created with the same name
   * and options share one watch; `close()` each one when done (the client's `close()` stops all).
   * Validates options first: a bad one throws `ConsulOptionError` naming it.
   */
  service(name: string, options: DiscoveryServiceOptions = {}): ServiceCache {
    if (typeof name !== 'string' || name === '') {
      throw new ConsulOptionError('name', 'a non-empty service name', name);
    }
    const q = resolveDiscoveryOptions(options);
    const key = JSON.stringify([
      name,
      q.dc ?? '',
      q.passing,
      q.tags ?? [],
      q.filter ?? '',
      q.near ?? '',
      q.stale,
      q.cached,
    ]);

    let shared = this.queries.get(key);
    if (!shared || shared.stopped) {
      const watch = this.consul.watches.service(name, {
        dc: q.dc,
        passing: q.passing,
        tag: q.tags,
        filter: q.filter,
        near: q.near,
        stale: q.stale || undefined,
        cached: q.cached || undefined,
        wait: q.wait,
        backoff: DISCOVERY_BACKOFF,
      });
      shared = new SharedInstances(
        name,
        key,
        watch,
        (released) => {
          if (this.queries.get(key) === released) this.queries.delete(key);
        },
        this.consul.options.logger,
      );
      this.queries.set(key, shared);
    }
    return new ServiceCache(shared);
  }
}

/** Options of `consul.http(name, options)`: the HTTP client's, plus how to discover the service. */
export interface ConsulHttpOptions
  extends Omit<ServiceClientOptions, 'closeSource' | 'failover'>, DiscoveryServiceOptions {
  /**
   * Datacenters to fail over to, in order: when the local datacenter (or `dc`) has no eligible
   * instance (none passing, every one ejected, or none left untried by a retry), a call goes to the
   * next datacenter's instances, discovered with the same options there; it comes back as soon as
   * the local datacenter has one again. Default none (no other datacenter is ever called).
   */
  failover?: readonly string[];
}

/** Consul's datacenter names: letters, digits, `_` and `-`. */
const DATACENTER_NAME = /^[A-Za-z0-9_-]+$/;

/** Validates `failover` of {@link ConsulHttpOptions}, naming the bad entry. */
function checkFailover(failover: unknown): readonly string[] {
  if (failover === undefined) return [];
  if (!Array.isArray(failover)) {
    throw new ConsulOptionError('failover', 'an array of datacenter names', failover);
  }
  failover.forEach((dc: unknown, i) => {
    if (typeof dc !== 'string' || !DATACENTER_NAME.test(dc) || failover.indexOf(dc) !== i) {
      throw new ConsulOptionError(
        `failover[${i}]`,
        'a datacenter name (letters, digits, _ and -), listed once',
        dc,
      );
    }
  });
  return failover as string[];
}

/** The option names of {@link ConsulHttpOptions}: discovery's and the client's but `closeSource`. */
const HTTP_OPTION_KEYS = [
  ...OPTION_KEYS,
  ...SERVICE_CLIENT_OPTION_KEYS.filter((key) => key !== 'closeSource'),
];

/** What {@link createServiceClient} needs from a client (a `Consul` instance provides it). */
export type ServiceClientContext = Pick<Consul, 'discovery' | 'options' | 'onClose'>;

/**
 * `consul.http(name, options)`: a {@link ServiceClient} over a discovery cache of `name`. The
 * client owns its cache (closing the client releases it) and is closed with the Consul client.
 */
export function createServiceClient(
  consul: ServiceClientContext,
  name: string,
  options: ConsulHttpOptions = {},
): ServiceClient {
  const o = checkObject(options, 'options');
  validateKnownOptions(o, HTTP_OPTION_KEYS, 'options');
  const failoverDcs = checkFailover(o.failover);
  const discoveryOptions: Record<string, unknown> = {};
  const clientOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(o)) {
    if (OPTION_KEYS.includes(key)) discoveryOptions[key] = value;
    else if (key !== 'failover') clientOptions[key] = value;
  }
  const source = consul.discovery.service(name, discoveryOptions as DiscoveryServiceOptions);
  const caches: ServiceCache[] = [];
  const failover: InstanceSource[] = [];
  let client: ServiceClient;
  try {
    // One cache per datacenter, started now so that it is warm when the local one empties.
    for (const dc of failoverDcs) {
      const cache = consul.discovery.service(name, {
        ...(discoveryOptions as DiscoveryServiceOptions),
        dc,
      });
      caches.push(cache);
      failover.push(datacenterSource(cache, dc));
    }
    client = new ServiceClient(
      source,
      { ...(clientOptions as ServiceClientOptions), closeSource: true, failover },
      consul.options.logger,
      // A client closed on its own leaves the Consul client's close list (no leak per client).
      () => unregister(),
    );
  } catch (err) {
    source.close();
    for (const cache of caches) cache.close();
    throw err;
  }
  const unregister = consul.onClose(() => client.close());
  return client;
}

/** Options of `consul.interceptor(options)`. */
export interface ConsulInterceptorOptions extends Omit<
  DiscoveryInterceptorOptions,
  'closeSources'
> {
  /**
   * How services are discovered (`tag`, `dc`, `passingOnly`...), for all of them or per service.
   * Default: passing instances in the client's datacenter.
   */
  discovery?: DiscoveryServiceOptions | ((service: string) => DiscoveryServiceOptions);
}

/** The option names of {@link ConsulInterceptorOptions}: the interceptor's but `closeSources`. */
const CONSUL_INTERCEPTOR_OPTION_KEYS = [
  ...INTERCEPTOR_OPTION_KEYS.filter((key) => key !== 'closeSources'),
  'discovery',
];

/**
 * The discovery options of a host's target: the datacenter and tag a Consul DNS name gives
 * (`v2.users.service.dc2.consul`) replace those of the `discovery` option, being more specific.
 */
function withTarget(
  options: DiscoveryServiceOptions,
  target: ServiceTarget,
): DiscoveryServiceOptions {
  const merged = { ...options };
  if (target.dc !== undefined) merged.dc = target.dc;
  if (target.tag !== undefined) merged.tag = target.tag;
  return merged;
}

/**
 * `consul.interceptor(options)`: the undici discovery interceptor resolving service hosts through
 * `consul.discovery.service` (one shared cache per service, released when the interceptor or the
 * Consul client closes).
 */
export function createConsulInterceptor(
  consul: Consul,
  options: ConsulInterceptorOptions = {},
): DiscoveryInterceptor {
  const o = checkObject(options, 'options');
  validateKnownOptions(o, CONSUL_INTERCEPTOR_OPTION_KEYS, 'options');
  const { discovery, ...rest } = o as ConsulInterceptorOptions;
  // Validate a fixed set of options now, not at the first request that needs them.
  if (discovery !== undefined && typeof discovery !== 'function')
    resolveDiscoveryOptions(discovery);
  const optionsFor = (service: string): DiscoveryServiceOptions =>
    typeof discovery === 'function' ? discovery(service) : (discovery ?? {});
  const interceptor = createDiscoveryInterceptor(
    (service, target) => consul.discovery.service(service, withTarget(optionsFor(service), target)),
    { logger: consul.options.logger, ...rest, closeSources: true },
    new CatalogDirectory(consul, (service) => optionsFor(service).dc, DISCOVERY_BACKOFF),
  );
  const unregister = consul.onClose(() => interceptor.close());
  const close = interceptor.close;
  // Closed on its own, the interceptor leaves the Consul client's close list (no leak).
  interceptor.close = () => {
    unregister();
    close();
  };
  return interceptor;
}
