import { eligible, type Balancer } from './types';

/** Options of {@link random}. */
export interface RandomOptions {
  /** Source of uniform numbers in [0, 1). Default `Math.random` (inject one for reproducible tests). */
  random?: () => number;
}

/** Uniformly random choice among the eligible instances. */
export function random(options: RandomOptions = {}): Balancer {
  const rand = options.random ?? Math.random;
  return {
    name: 'random',
    pick(instances, ctx) {
      const list = eligible(instances, ctx?.exclude);
      if (list.length === 0) return undefined;
      return list[Math.min(list.length - 1, Math.floor(rand() * list.length))];
    },
  };
}
