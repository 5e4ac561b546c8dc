import { performance } from 'node:perf_hooks';
import { effectiveWeight, type ServiceInstance } from '../models/service-instance';
import { eligible, type Balancer } from './types';

/** Options of {@link p2c}. */
export interface P2cOptions {
  /** Decay time of the latency average, in ms: older samples weigh `e^(-age/decay)`. Default 10 000. */
  decayMs?: number;
  /** Latency charged for a failed call, so fast failures do not attract traffic. Default 1 000 ms. */
  errorPenaltyMs?: number;
  /** Source of uniform numbers in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Clock in ms. Default `performance.now`. */
  now?: () => number;
}

interface Stats {
  ewma: number;
  last: number;
  inFlight: number;
}

/**
 * Power of two choices: samples two distinct eligible instances at random and takes the one with the
 * lower cost, `peakEwmaLatency × (inFlight + 1) / weight`. The latency average is "peak" sensitive (a
 * slower sample replaces it at once, faster ones decay in) so a degrading instance sheds load fast.
 * Instances with no sample yet cost almost nothing, which lets new instances warm up.
 */
export function p2c(options: P2cOptions = {}): Balancer {
  const decay = options.decayMs ?? 10_000;
  const penalty = options.errorPenaltyMs ?? 1_000;
  const rand = options.random ?? Math.random;
  const now = options.now ?? (() => performance.now());
  const stats = new Map<string, Stats>();

  const statsOf = (instance: ServiceInstance): Stats => {
    let s = stats.get(instance.id);
    if (!s) {
      s = { ewma: 0, last: now(), inFlight: 0 };
      stats.set(instance.id, s);
    }
    return s;
  };
  const cost = (instance: ServiceInstance): number => {
    const s = stats.get(instance.id);
    if (!s) return 0;
    // 1 µs floor so in-flight counts still separate instances with no latency history.
    return ((s.ewma + 0.001) * (s.inFlight + 1)) / effectiveWeight(instance);
  };

  return {
    name: 'p2c',
    pick(instances, ctx) {
      const list = eligible(instances, ctx?.exclude);
      if (list.length <= 1) return list[0];
      if (stats.size > 2 * instances.length + 16) prune(stats, instances);
      const a = Math.min(list.length - 1, Math.floor(rand() * list.length));
      let b = Math.min(list.length - 2, Math.floor(rand() * (list.length - 1)));
      if (b >= a) b += 1;
      return cost(list[b]) < cost(list[a]) ? list[b] : list[a];
    },
    onStart(instance) {
      statsOf(instance).inFlight += 1;
    },
    onEnd(instance, outcome) {
      const s = statsOf(instance);
      s.inFlight = Math.max(0, s.inFlight - 1);
      const t = now();
      const failed = outcome.error !== undefined || (outcome.statusCode ?? 0) >= 500;
      const sample = failed ? Math.max(outcome.latencyMs, penalty) : outcome.latencyMs;
      if (s.ewma === 0 || sample > s.ewma) {
        s.ewma = sample;
      } else {
        const w = Math.exp(-Math.max(0, t - s.last) / decay);
        s.ewma = s.ewma * w + sample * (1 - w);
      }
      s.last = t;
    },
  };
}

function prune(stats: Map<string, Stats>, instances: readonly ServiceInstance[]): void {
  const live = new Set(instances.map((i) => i.id));
  for (const [id, s] of stats) if (!live.has(id) && s.inFlight === 0) stats.delete(id);
}
