import type { ServiceInstance } from '../../src/models/service-instance';

/** A passing instance with default weights; override any field. */
export function inst(id: string, over: Partial<ServiceInstance> = {}): ServiceInstance {
  return {
    id,
    service: 'svc',
    address: '10.0.0.1',
    port: 8080,
    tags: [],
    meta: {},
    weights: { passing: 1, warning: 1 },
    status: 'passing',
    node: 'n1',
    ...over,
  };
}

/** Counts picks per instance ID. */
export function tally(pick: () => ServiceInstance | undefined, n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const chosen = pick();
    if (!chosen) throw new Error('no pick');
    counts.set(chosen.id, (counts.get(chosen.id) ?? 0) + 1);
  }
  return counts;
}

/** Deterministic uniform numbers (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
