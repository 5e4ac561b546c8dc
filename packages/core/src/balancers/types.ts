import type { Dispatcher } from 'undici';
import { effectiveWeight, type ServiceInstance } from '../discovery/instance';

/** What a balancer may look at about the call being routed. */
export interface BalancerRequest {
  method: string;
  path: string;
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
  /** Set when the call failed (connection error, timeout, 5xx). */
  error?: unknown;
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
  const skip = (i: ServiceInstance) =>
    effectiveWeight(i) === 0 || (exclude !== undefined && exclude.has(i.id));
  if (!instances.some(skip)) return instances;
  return instances.filter((i) => !skip(i));
}

/** Keeps a rotating counter within safe integer range. */
export function nextCounter(counter: number): number {
  return counter >= 0x7fffffff ? 0 : counter + 1;
}
