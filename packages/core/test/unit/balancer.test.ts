import {
  consistentHash,
  leastRequests,
  p2c,
  random,
  roundRobin,
  weighted,
  type Balancer,
} from '../../src/balancers';
import { effectiveWeight } from '../../src/models/service-instance';
import { inst, seeded, tally } from './balancer-support';

const three = [inst('a'), inst('b'), inst('c')];

describe.each<[string, () => Balancer]>([
  ['roundRobin', () => roundRobin()],
  ['random', () => random({ random: seeded(1) })],
  ['weighted', () => weighted()],
  ['leastRequests', () => leastRequests()],
  ['p2c', () => p2c({ random: seeded(2) })],
  ['consistentHash (no key)', () => consistentHash()],
  ['consistentHash (key)', () => consistentHash((ctx) => ctx.key ?? 'fixed')],
])('%s: common contract', (_name, make) => {
  it('returns undefined for an empty list', () => {
    expect(make().pick([])).toBeUndefined();
    expect(make().pick([], { key: 'k', exclude: new Set(['a']) })).toBeUndefined();
  });

  it('never picks an excluded instance and returns undefined when all are excluded', () => {
    const b = make();
    const counts = tally(() => b.pick(three, { key: 'k', exclude: new Set(['b']) }), 300);
    expect(counts.has('b')).toBe(false);
    expect(b.pick(three, { key: 'k', exclude: new Set(['a', 'b', 'c']) })).toBeUndefined();
  });

  it('never picks critical instances or warning instances with Weights.Warning = 0', () => {
    const b = make();
    const list = [
      inst('ok'),
      inst('crit', { status: 'critical' }),
      inst('warn0', { status: 'warning', weights: { passing: 1, warning: 0 } }),
    ];
    const counts = tally(() => b.pick(list, { key: 'k' }), 200);
    expect([...counts.keys()]).toEqual(['ok']);
  });
});

describe('roundRobin', () => {
  it('gives each of 3 instances exactly 1/3 of 3,000 picks, in rotation', () => {
    const b = roundRobin();
    const order = [0, 1, 2, 3, 4, 5].map(() => b.pick(three)?.id);
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    const counts = tally(() => b.pick(three), 3000);
    expect([...counts.values()]).toEqual([1000, 1000, 1000]);
  });
});

describe('random', () => {
  it('spreads picks uniformly (within 5% of 1/3 over 30,000)', () => {
    const b = random({ random: seeded(42) });
    const counts = tally(() => b.pick(three), 30_000);
    for (const id of ['a', 'b', 'c']) {
      expect(Math.abs((counts.get(id) ?? 0) / 30_000 - 1 / 3)).toBeLessThan(0.05 / 3);
    }
  });
});

describe('weighted', () => {
  it('follows Consul weights exactly over a full cycle (5:3:2)', () => {
    const list = [
      inst('a', { weights: { passing: 5, warning: 1 } }),
      inst('b', { weights: { passing: 3, warning: 1 } }),
      inst('c', { weights: { passing: 2, warning: 1 } }),
    ];
    const b = weighted();
    const counts = tally(() => b.pick(list), 1000);
    expect(Object.fromEntries(counts)).toEqual({ a: 500, b: 300, c: 200 });
  });

  it('interleaves instead of bursting (smooth): every window of 7 picks holds the 5:1:1 shares', () => {
    const list = [
      inst('a', { weights: { passing: 5, warning: 1 } }),
      inst('b', { weights: { passing: 1, warning: 1 } }),
      inst('c', { weights: { passing: 1, warning: 1 } }),
    ];
    const b = weighted();
    const seq = Array.from({ length: 70 }, () => b.pick(list)?.id).join('');
    for (let i = 0; i + 7 <= seq.length; i++) {
      const window = seq.slice(i, i + 7).split('');
      expect(window.filter((x) => x === 'a')).toHaveLength(5);
    }
    expect(seq).not.toContain('bb');
    expect(seq).not.toContain('cc');
  });

  it('uses Weights.Warning for warning instances', () => {
    const list = [
      inst('p', { weights: { passing: 10, warning: 1 } }),
      inst('w', { status: 'warning', weights: { passing: 10, warning: 1 } }),
    ];
    expect(effectiveWeight(list[1])).toBe(1);
    const b = weighted();
    const counts = tally(() => b.pick(list), 1100);
    expect(Object.fromEntries(counts)).toEqual({ p: 1000, w: 100 });
  });
});

describe('leastRequests', () => {
  it('prefers the instance with the fewest calls in flight', () => {
    const b = leastRequests();
    b.onStart?.(three[0]);
    b.onStart?.(three[0]);
    b.onStart?.(three[1]);
    expect(b.pick(three)?.id).toBe('c');
    b.onStart?.(three[2]);
    b.onStart?.(three[2]);
    expect(b.pick(three)?.id).toBe('b');
    b.onEnd?.(three[0], { latencyMs: 1 });
    b.onEnd?.(three[0], { latencyMs: 1 });
    expect(b.pick(three)?.id).toBe('a');
  });

  it('rotates among idle instances', () => {
    const b = leastRequests();
    const counts = tally(() => b.pick(three), 300);
    expect([...counts.values()]).toEqual([100, 100, 100]);
  });
});

describe('p2c', () => {
  it('shifts load away from a slow instance', () => {
    let t = 0;
    const b = p2c({ random: seeded(7), now: () => t });
    const latency: Record<string, number> = { a: 5, b: 5, c: 200 };
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      t += 1;
      const chosen = b.pick(three);
      if (!chosen) throw new Error('no pick');
      b.onStart?.(chosen);
      b.onEnd?.(chosen, { latencyMs: latency[chosen.id] });
      counts.set(chosen.id, (counts.get(chosen.id) ?? 0) + 1);
    }
    // The slow one is only chosen when it is paired with itself — impossible — or still unmeasured.
    expect(counts.get('c') ?? 0).toBeLessThan(30);
    expect(Math.abs((counts.get('a') ?? 0) - (counts.get('b') ?? 0))).toBeLessThan(300);
  });

  it('charges failures a latency penalty', () => {
    let t = 0;
    const b = p2c({ random: seeded(9), now: () => t });
    const two = [inst('a'), inst('b')];
    b.onStart?.(two[0]);
    b.onEnd?.(two[0], { latencyMs: 1, error: new Error('ECONNREFUSED') });
    b.onStart?.(two[1]);
    b.onEnd?.(two[1], { latencyMs: 20 });
    t = 100;
    const counts = tally(() => b.pick(two), 100);
    expect(Object.fromEntries(counts)).toEqual({ b: 100 });
  });

  it('returns the only eligible instance without sampling', () => {
    const b = p2c({ random: () => 0.99 });
    expect(b.pick(three, { exclude: new Set(['a', 'c']) })?.id).toBe('b');
  });
});
