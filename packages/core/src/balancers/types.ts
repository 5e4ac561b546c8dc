import type { Dispatcher } from 'undici';
import { effectiveWeight, type ServiceInstance } from '../models/service-instance';

/** What a balancer may look at about the call being routed. */
export interface BalancerRequest {
  /** HTTP method, upper case. */
  method: string;
  /** Path (and query) of the call. */
  path: string;
  /** Request headers as given to undici. */
  headers?: Dispatcher.DispatchOptions['headers'];
}

/** Per-pick context. */
export interface PickContext {
  /** Affinity key (used by `consistentHash`; e.g. a cache key or user ID). */
  key?: string;
  /** Instance IDs that must not be picked (already tried, ejected). */
  exclude?: ReadonlySet<string>;
  /** The call being routed, when known. */
  request?: BalancerRequest;
}

/** How a call to an instance ended, reported to {@link Balancer.onEnd}. */
export interface CallOutcome {
  /** Time from dispatch to response headers (or to the failure). */
  latencyMs: number;
  /** Set when the call failed before a response (connection error, timeout). */
  error?: unknown;
  /** Response status, when there was a response (a 5xx counts as a failure). */
  statusCode?: number;
}

/**
 * Chooses one instance per call. Implementations are pure in-memory strategies; stateful ones (load
 * aware, weighted) learn through the optional `onStart`/`onEnd` hooks, which callers invoke once per
 * attempt. A balancer instance belongs to one service: create one per client.
 */
export interface Balancer {
  /** Strategy name, for logs and diagnostics. */
  readonly name: string;
  /**
   * Picks an instance, or `undefined` when none is eligible. Instances in `ctx.exclude` and those whose
   * Consul weight is 0 (warning with `Weights.Warning = 0`, critical) are never picked.
   */
  pick(instances: readonly ServiceInstance[], ctx?: PickContext): ServiceInstance | undefined;
  /** A call to `instance` starts. */
  onStart?(instance: ServiceInstance): void;
  /** A call to `instance` ended. */
  onEnd?(instance: ServiceInstance, outcome: CallOutcome): void;
}

/**
 * The instances a balancer may choose from: not excluded and with a positive Consul weight. Returns
 * the input array itself when nothing is filtered out (the common case allocates nothing).
 */
export function eligible(
  instances: readonly ServiceInstance[],
  exclude?: ReadonlySet<string>,
): readonly ServiceInstance[] {
  const hasExclusions = exclude !== undefined && exclude.size > 0;
  let i = 0;
  for (; i < instances.length; i++) {
    const instance = instances[i];
    if (effectiveWeight(instance) === 0 || (hasExclusions && exclude.has(instance.id))) break;
  }
  if (i === instances.length) return instances;
  return instances.filter(
    (instance) => effectiveWeight(instance) > 0 && !(hasExclusions && exclude.has(instance.id)),
  );
}

/** Keeps a rotating counter within safe integer range. */
export function nextCounter(counter: number): number {
  return counter >= 0x7fffffff ? 0 : counter + 1;
}
