import { effectiveWeight, type ServiceInstance } from '../models/service-instance';
import { hash32 } from './hash';
import { roundRobin } from './round-robin';
import type { Balancer, PickContext } from './types';

/** Extracts the affinity key of a call; `undefined` means "no affinity" (the fallback decides). */
export type HashKeyFn = (ctx: PickContext) => string | undefined;

/** Options of {@link consistentHash}. */
export interface ConsistentHashOptions {
  /** Virtual nodes per instance of average weight. Default 160. */
  replicas?: number;
  /** Balancer for calls without a key. Default `roundRobin()`. */
  fallback?: Balancer;
}

interface Ring {
  points: Uint32Array;
  owners: ServiceInstance[];
}

/**
 * Consistent hashing on a ring of virtual nodes (Ketama style): the same key goes to the same
 * instance while the set is stable, and adding or removing one of N instances moves only about 1/N
 * of the keys. Virtual nodes per instance scale with its Consul weight. An excluded instance's keys
 * go to the next instance clockwise, so retries stay deterministic too.
 *
 * @param keyFn picks the key from the call; default `ctx => ctx.key` (the client's `hashKey`).
 */
export function consistentHash(
  keyFn: HashKeyFn = (ctx) => ctx.key,
  options: ConsistentHashOptions = {},
): Balancer {
  const replicas = options.replicas ?? 160;
  const fallback = options.fallback ?? roundRobin();
  let builtFor: readonly ServiceInstance[] | undefined;
  let signature = '';
  let ring: Ring = { points: new Uint32Array(0), owners: [] };

  const ringFor = (instances: readonly ServiceInstance[]): Ring => {
    if (instances === builtFor) return ring;
    builtFor = instances;
    const next = instances.map((i) => `${i.id}=${effectiveWeight(i)}`).join('\n');
    if (next !== signature) {
      signature = next;
      ring = buildRing(instances, replicas);
    }
    return ring;
  };

  return {
    name: 'consistent-hash',
    pick(instances, ctx = {}) {
      const key = keyFn(ctx);
      if (key === undefined) return fallback.pick(instances, ctx);
      const { points, owners } = ringFor(instances);
      if (points.length === 0) return undefined;
      let index = lowerBound(points, hash32(key));
      for (let n = 0; n < points.length; n++, index++) {
        const owner = owners[index % points.length];
        if (!ctx.exclude?.has(owner.id)) return owner;
      }
      return undefined;
    },
    onStart: (instance) => fallback.onStart?.(instance),
    onEnd: (instance, outcome) => fallback.onEnd?.(instance, outcome),
  };
}

function buildRing(instances: readonly ServiceInstance[], replicas: number): Ring {
  const weighted = instances
    .map((instance) => ({ instance, weight: effectiveWeight(instance) }))
    .filter((w) => w.weight > 0);
  if (weighted.length === 0) return { points: new Uint32Array(0), owners: [] };
  const mean = weighted.reduce((sum, w) => sum + w.weight, 0) / weighted.length;
  const entries: Array<{ hash: number; instance: ServiceInstance }> = [];
  for (const { instance, weight } of weighted) {
    const count = Math.max(1, Math.round((replicas * weight) / mean));
    // Points derive from the ID only, so an instance keeps its ring positions across rebuilds.
    for (let v = 0; v < count; v++) entries.push({ hash: hash32(`${instance.id}#${v}`), instance });
  }
  entries.sort((a, b) => a.hash - b.hash || (a.instance.id < b.instance.id ? -1 : 1));
  return {
    points: Uint32Array.from(entries, (e) => e.hash),
    owners: entries.map((e) => e.instance),
  };
}

/** First index whose point is >= hash (wraps to 0 past the end). */
function lowerBound(points: Uint32Array, hash: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid] < hash) lo = mid + 1;
    else hi = mid;
  }
  return lo === points.length ? 0 : lo;
}
