import { eligible, nextCounter, type Balancer } from './types';

/**
 * Round robin over the eligible instances: with a stable set each instance gets exactly its turn.
 * Ignores weights beyond excluding weight-0 instances (use {@link weighted} for Consul weights).
 */
export function roundRobin(): Balancer {
  let counter = 0;
  return {
    name: 'round-robin',
    pick(instances, ctx) {
      const list = eligible(instances, ctx?.exclude);
      if (list.length === 0) return undefined;
      const chosen = list[counter % list.length];
      counter = nextCounter(counter);
      return chosen;
    },
  };
}
