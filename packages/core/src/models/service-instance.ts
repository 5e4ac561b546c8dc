/**
 * The contract between service discovery (the watch-backed instance cache) and the consumers of
 * instances (balancers, `ServiceClient`, the discovery interceptor). Anything that can list healthy
 * instances of one service and say when that list changed is an {@link InstanceSource}.
 */

/** Aggregated health of an instance: the worst status among its service and node checks. */
export type InstanceStatus = 'passing' | 'warning' | 'critical';

/** Consul `Weights` of an instance (default `{ passing: 1, warning: 1 }`). */
export interface InstanceWeights {
  /** Relative weight while every check is passing. */
  passing: number;
  /** Relative weight while some check is warning; `0` means "send no traffic". */
  warning: number;
}

/** One dialable instance of a service, already resolved from Consul's health entry. */
export interface ServiceInstance {
  /**
   * Unique within the source: the balancing, exclusion and ejection key. The discovery cache uses
   * the Consul service ID, qualified as `id@node` when two nodes register the same ID.
   */
  id: string;
  /** Logical service name. */
  service: string;
  /**
   * Address to dial: `Service.Address` when non-empty, else `Node.Address` (may be a host name or an
   * IPv6 literal without brackets).
   */
  address: string;
  /** Port to dial. */
  port: number;
  /** Service tags. */
  tags: string[];
  /** Service meta. `meta.scheme === 'https'` makes HTTP clients dial TLS. */
  meta: Record<string, string>;
  /** Consul `Weights`, used by {@link effectiveWeight}. */
  weights: InstanceWeights;
  /** Worst status of the instance's checks, node checks and maintenance included. */
  status: InstanceStatus;
  /** Consul node name the instance runs on. */
  node: string;
  /** Datacenter of the node, when known. */
  datacenter?: string;
}

/** Listener of {@link InstanceSource} `change` events; receives the new instance list. */
export type InstanceChangeListener = (instances: readonly ServiceInstance[]) => void;

/**
 * A live list of instances of one service. Implemented by the discovery cache
 * (`consul.discovery.service(name)`) and by {@link createStaticSource} for fixed lists.
 */
export interface InstanceSource {
  /** Logical service name. */
  readonly name: string;
  /** The current snapshot (never blocks; empty before the first load). */
  instances(): readonly ServiceInstance[];
  /** Resolves once the first snapshot is loaded; rejects when `signal` aborts first. */
  ready(signal?: AbortSignal): Promise<void>;
  /** Subscribes to changes of the instance set (emitted only when it really changed). */
  on(event: 'change', listener: InstanceChangeListener): unknown;
  /** Unsubscribes a `change` listener. */
  off(event: 'change', listener: InstanceChangeListener): unknown;
  /** Releases the source (stops its watch when nothing else uses it). */
  close?(): void;
  /**
   * The last error loading the list (the discovery cache's), named by the error of a call that
   * timed out waiting for a first list: `No path to datacenter` says more than a bare timeout.
   */
  readonly lastError?: Error | undefined;
}

/**
 * The traffic weight Consul's rule gives an instance (DSC-6): `weights.passing` when passing,
 * `weights.warning` when warning (`0` = no traffic), `0` when critical. Negative or non-finite
 * weights count as `0`.
 */
export function effectiveWeight(instance: ServiceInstance): number {
  let weight: number;
  if (instance.status === 'passing') weight = instance.weights.passing;
  else if (instance.status === 'warning') weight = instance.weights.warning;
  else weight = 0;
  return Number.isFinite(weight) && weight > 0 ? weight : 0;
}

/**
 * The origin (`scheme://host:port`) to dial for an instance. The scheme comes from `meta.scheme`
 * (`https` or `http`, default `http`); IPv6 literals get brackets.
 */
export function instanceOrigin(instance: ServiceInstance): string {
  return dialOrigin(instance, wantsTls(instance));
}

/** @internal Whether the instance asks to be dialled over TLS (`meta.scheme` is `https`). */
export function wantsTls(instance: ServiceInstance): boolean {
  return instance.meta.scheme?.toLowerCase() === 'https';
}

/** @internal The origin of `instance` over TLS (`https`) or not, whatever its `meta.scheme`. */
export function dialOrigin(instance: ServiceInstance, tls: boolean): string {
  const host = instance.address.includes(':') ? `[${instance.address}]` : instance.address;
  return `${tls ? 'https' : 'http'}://${host}:${instance.port}`;
}
