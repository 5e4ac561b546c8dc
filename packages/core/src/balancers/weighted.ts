import { effectiveWeight } from '../models/service-instance';
import { eligible, type Balancer } from './types';

/**
 * Smooth weighted round robin (nginx's algorithm) on Consul weights: a passing instance counts
 * `weights.passing`, a warning one `weights.warning` (0 = no traffic), critical ones none. Over any
 * window of `sum(weights)` picks each instance gets exactly its share, interleaved rather than in
 * bursts.
 */
export function weighted(): Balancer {
  // Current weight per instance ID; entries of departed instances are pruned lazily.
  const current = new Map<string, number>();
  return {
    name: 'weighted',
    pick(instances, ctx) {
      const list = eligible(instances, ctx?.exclude);
      if (list.length === 0) return undefined;
      if (current.size > 2 * instances.length + 16) prune(current, instances);
      let total = 0;
      let best = list[0];
      let bestWeight = -Infinity;
      for (const instance of list) {
        const weight = effectiveWeight(instance);
        const value = (current.get(instance.id) ?? 0) + weight;
        current.set(instance.id, value);
        total += weight;
        if (value > bestWeight) {
          best = instance;
          bestWeight = value;
        }
      }
      current.set(best.id, bestWeight - total);
      return best;
    },
  };
}

function prune(state: Map<string, number>, instances: ReadonlyArray<{ id: string }>): void {
  const live = new Set(instances.map((i) => i.id));
  for (const id of state.keys()) if (!live.has(id)) state.delete(id);
}
