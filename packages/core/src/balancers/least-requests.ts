import { effectiveWeight } from '../models/service-instance';
import { eligible, nextCounter, type Balancer } from './types';

/**
 * Sends each call to the instance with the fewest calls in flight relative to its Consul weight
 * (`(inFlight + 1) / weight`). Ties rotate, so an idle set behaves like round robin. Needs the
 * `onStart`/`onEnd` hooks to be called (the HTTP client and interceptor do).
 */
export function leastRequests(): Balancer {
  const inFlight = new Map<string, number>();
  let offset = 0;
  return {
    name: 'least-requests',
    pick(instances, ctx) {
      const list = eligible(instances, ctx?.exclude);
      if (list.length === 0) return undefined;
      const start = offset % list.length;
      offset = nextCounter(offset);
      let best = list[start];
      let bestScore = Infinity;
      for (let n = 0; n < list.length; n++) {
        const instance = list[(start + n) % list.length];
        const score = ((inFlight.get(instance.id) ?? 0) + 1) / effectiveWeight(instance);
        if (score < bestScore) {
          best = instance;
          bestScore = score;
        }
      }
      return best;
    },
    onStart(instance) {
      inFlight.set(instance.id, (inFlight.get(instance.id) ?? 0) + 1);
    },
    onEnd(instance) {
      const left = (inFlight.get(instance.id) ?? 0) - 1;
      // Delete at zero so departed instances leave no state behind.
      if (left > 0) inFlight.set(instance.id, left);
      else inFlight.delete(instance.id);
    },
  };
}
