import { EventEmitter } from 'node:events';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ConsulClosedError, ConsulOptionError } from '../errors';
import { optionKeys, validateKnownOptions } from '../models/validate';
import type {
  InstanceChangeListener,
  InstanceSource,
  ServiceInstance,
} from '../models/service-instance';
import { instanceSetSignature } from './service-cache';

/** Options of {@link createDnsSource}. */
export interface DnsSourceOptions {
  /**
   * The Consul agent's DNS address, `ip:port` (e.g. `127.0.0.1:8600`). Required: the system
   * resolver does not know the `.consul` domain unless it forwards to an agent.
   */
  server: string;
  /**
   * How long one answer is used before the next lookup, in milliseconds. Default `1000`: Node's
   * resolver reports no TTL and Consul's `service_ttl` is 0 by default.
   */
  cacheTtl?: number;
  /** Datacenter to ask for (`<svc>.service.<dc>.consul`); the agent's own by default. */
  datacenter?: string;
  /** Only instances with this tag (`<tag>.<svc>.service.consul`). */
  tag?: string;
  /** Consul's DNS domain. Default `consul`. */
  domain?: string;
  /** Per-query timeout of the resolver, in milliseconds. Default `2000`. */
  timeout?: number;
}

/** An {@link InstanceSource} fed by SRV lookups against a Consul agent's DNS interface. */
export interface DnsInstanceSource extends InstanceSource {
  /** The name queried, e.g. `users.service.consul`. */
  readonly query: string;
  /**
   * Looks the service up now (ignoring the cache) and resolves once the answer is applied; rejects
   * with `ConsulClosedError` after `close()`.
   */
  refresh(): Promise<void>;
  /** Stops lookups; pending and later `ready()` / `refresh()` reject with `ConsulClosedError`. */
  close(): void;
  /** Subscribes to `change` (emitted only when the instance set really changed). */
  on(event: 'change', listener: InstanceChangeListener): this;
  /** Unsubscribes a `change` listener. */
  off(event: 'change', listener: InstanceChangeListener): this;
}

const DNS_SOURCE_OPTION_KEYS = optionKeys<DnsSourceOptions>({
  server: true,
  cacheTtl: true,
  datacenter: true,
  tag: true,
  domain: true,
  timeout: true,
});

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?$/;

/**
 * Builds an {@link InstanceSource} over Consul DNS: discovery without a blocking HTTP watch. Each
 * lookup asks SRV `[<tag>.]<name>.service[.<dc>].<domain>` (Consul answers passing and warning
 * instances, never critical ones), then the A record of each target; an answer is reused for
 * `cacheTtl` ms, and `instances()` past that starts the next lookup in the background. Over UDP
 * Consul 1.8 returns at most 3 answers unless the agent sets `dns_config { enable_truncate = true }`.
 *
 * @example
 * const source = createDnsSource('users', { server: '127.0.0.1:8600' });
 * const client = new ServiceClient(source, { retries: 2 });
 */
export function createDnsSource(name: string, options: DnsSourceOptions): DnsInstanceSource {
  const o = validate(name, options);
  const resolver = new Resolver({ timeout: o.timeout, tries: 2 });
  resolver.setServers([o.server]);
  const emitter = new EventEmitter();
  let current: readonly ServiceInstance[] = Object.freeze([]);
  let signature = instanceSetSignature([]);
  let loaded = false;
  let fetchedAt = -Infinity;
  let inflight: Promise<void> | undefined;
  let closed = false;
  const waiters = new Set<() => void>();

  const lookup = async (): Promise<void> => {
    let records: { name: string; port: number; weight: number }[];
    try {
      records = await resolver.resolveSrv(o.query);
    } catch (error) {
      // No passing instance: Consul answers NXDOMAIN. Anything else keeps the last answer.
      if ((error as { code?: string }).code !== 'ENOTFOUND') throw error;
      records = [];
    }
    const targets = [...new Set(records.map((r) => r.name))];
    const addresses = new Map<string, string>();
    await Promise.all(
      targets.map(async (target) => {
        const [address] = await resolver.resolve4(target);
        if (address !== undefined) addresses.set(target, address);
      }),
    );
    const next: ServiceInstance[] = [];
    for (const r of records) {
      const address = addresses.get(r.name);
      if (address === undefined) continue;
      const weight = r.weight > 0 ? r.weight : 1;
      next.push({
        id: `${address}:${r.port}`,
        service: name,
        address,
        port: r.port,
        tags: o.tag === undefined ? [] : [o.tag],
        meta: {},
        weights: { passing: weight, warning: weight },
        status: 'passing',
        node: r.name,
        datacenter: o.datacenter,
      });
    }
    next.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    fetchedAt = performance.now();
    loaded = true;
    for (const wake of waiters) wake();
    waiters.clear();
    const nextSignature = instanceSetSignature(next);
    if (nextSignature === signature) return;
    signature = nextSignature;
    current = Object.freeze(next);
    if (!closed) emitter.emit('change', current);
  };

  const closedError = () => new ConsulClosedError(`The DNS source of ${name} is closed`);
  const refresh = (): Promise<void> => {
    if (closed) return Promise.reject(closedError());
    inflight ??= lookup().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  const maybeRefresh = () => {
    if (closed || inflight || performance.now() - fetchedAt < o.cacheTtl) return;
    // A failed background lookup keeps the last answer; the next instances() past the TTL retries.
    refresh().catch(() => {
      fetchedAt = performance.now();
    });
  };

  const source: DnsInstanceSource = {
    name,
    query: o.query,
    instances() {
      maybeRefresh();
      return current;
    },
    async ready(signal?: AbortSignal) {
      signal?.throwIfAborted();
      // Until a first answer (even an empty one) arrives, look up again every cacheTtl.
      while (!loaded) {
        if (closed) throw closedError();
        let wake = () => {};
        let onAbort = () => {};
        const woke = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, Math.max(o.cacheTtl, 50));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
          onAbort = () => {
            clearTimeout(timer);
            reject(signal?.reason);
          };
        });
        waiters.add(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
        refresh().catch(() => undefined);
        try {
          await woke;
        } finally {
          waiters.delete(wake);
          signal?.removeEventListener('abort', onAbort);
        }
      }
    },
    refresh,
    on(event, listener) {
      emitter.on(event, listener);
      return source;
    },
    off(event, listener) {
      emitter.off(event, listener);
      return source;
    },
    close() {
      closed = true;
      // Pending ready() calls wake up and reject instead of polling a closed source.
      for (const wake of waiters) wake();
      waiters.clear();
      resolver.cancel();
      emitter.removeAllListeners();
    },
  };
  return source;
}

function validate(name: string, options: DnsSourceOptions) {
  if (typeof name !== 'string' || !LABEL.test(name)) {
    throw new ConsulOptionError('name', 'a service name usable as a DNS label', name);
  }
  if (typeof options !== 'object' || options === null) {
    throw new ConsulOptionError('options', 'an object with at least `server`', options);
  }
  validateKnownOptions(options, DNS_SOURCE_OPTION_KEYS);
  const server = options.server;
  const match = typeof server === 'string' ? /^(.+):(\d{1,5})$/.exec(server) : null;
  const host = match?.[1]?.replace(/^\[(.*)\]$/, '$1');
  const port = Number(match?.[2]);
  if (!match || host === undefined || isIP(host) === 0 || port < 1 || port > 65535) {
    throw new ConsulOptionError('server', 'the agent DNS address as ip:port', server);
  }
  const cacheTtl = options.cacheTtl ?? 1_000;
  if (typeof cacheTtl !== 'number' || !Number.isFinite(cacheTtl) || cacheTtl < 0) {
    throw new ConsulOptionError('cacheTtl', 'a non-negative number of milliseconds', cacheTtl);
  }
  const timeout = options.timeout ?? 2_000;
  if (!Number.isInteger(timeout) || timeout < 1) {
    throw new ConsulOptionError('timeout', 'a positive integer number of milliseconds', timeout);
  }
  for (const key of ['datacenter', 'tag', 'domain'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || !LABEL.test(value))) {
      throw new ConsulOptionError(key, 'a DNS label', value);
    }
  }
  const domain = options.domain ?? 'consul';
  const labels = [options.tag, name, 'service', options.datacenter, domain];
  return {
    server,
    cacheTtl,
    timeout,
    datacenter: options.datacenter,
    tag: options.tag,
    query: labels.filter((l) => l !== undefined).join('.'),
  };
}
