import { consistentHash } from '../../src/balancers';
import type { ServiceInstance } from '../../src/models/service-instance';
import { inst } from './balancer-support';

const KEYS = Array.from({ length: 10_000 }, (_, i) => `object/${i}.jpg`);

function assign(instances: ServiceInstance[]): Map<string, string> {
  const b = consistentHash();
  return new Map(KEYS.map((key) => [key, b.pick(instances, { key })?.id ?? '']));
}

const ten = Array.from({ length: 10 }, (_, i) => inst(`edge-${i}`, { address: `10.0.0.${i}` }));

describe('consistentHash', () => {
  it('is deterministic across balancer instances and argument order', () => {
    const a = assign(ten);
    const b = assign([...ten].reverse());
    expect(b).toEqual(a);
  });

  it('spreads 10,000 keys over 10 instances within ±3% of 10% each', () => {
    const counts = new Map<string, number>();
    for (const id of assign(ten).values()) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(10);
    for (const n of counts.values()) expect(Math.abs(n / KEYS.length - 0.1)).toBeLessThan(0.03);
  });

  it('removing one of 10 instances moves ≈1/10 of the keys, all from the removed one', () => {
    const before = assign(ten);
    const after = assign(ten.filter((i) => i.id !== 'edge-3'));
    const moved = KEYS.filter((k) => before.get(k) !== after.get(k));
    expect(moved.every((k) => before.get(k) === 'edge-3')).toBe(true);
    expect(moved.length / KEYS.length).toBeGreaterThan(0.07);
    expect(moved.length / KEYS.length).toBeLessThan(0.13);
  });

  it('adding an 11th instance moves ≈1/11 of the keys, all to the new one', () => {
    const before = assign(ten);
    const after = assign([...ten, inst('edge-10')]);
    const moved = KEYS.filter((k) => before.get(k) !== after.get(k));
    expect(moved.every((k) => after.get(k) === 'edge-10')).toBe(true);
    expect(moved.length / KEYS.length).toBeGreaterThan(0.06);
    expect(moved.length / KEYS.length).toBeLessThan(0.12);
  });

  it('an excluded instance sends its keys elsewhere and the rest stay put', () => {
    const b = consistentHash();
    const before = assign(ten);
    const exclude = new Set(['edge-5']);
    const moved: string[] = [];
    let stayed = 0;
    for (const key of KEYS) {
      const id = b.pick(ten, { key, exclude })?.id;
      expect(id).not.toBe('edge-5');
      if (before.get(key) === 'edge-5') continue;
      if (id === before.get(key)) stayed++;
      else moved.push(key);
    }
    expect(moved).toEqual([]);
    expect(stayed).toBeGreaterThan(8000);
  });

  it('gives a double-weight instance about twice the keys', () => {
    const list = [
      inst('heavy', { weights: { passing: 2, warning: 1 } }),
      inst('light-1'),
      inst('light-2'),
    ];
    const counts = new Map<string, number>();
    for (const id of assign(list).values()) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(Math.abs((counts.get('heavy') ?? 0) / KEYS.length - 0.5)).toBeLessThan(0.06);
  });

  it('derives the key with keyFn from the request', () => {
    const b = consistentHash((ctx) => ctx.request?.path);
    const first = b.pick(ten, { request: { method: 'GET', path: '/img/1.png' } });
    for (let i = 0; i < 20; i++) {
      expect(b.pick(ten, { request: { method: 'GET', path: '/img/1.png' } })).toBe(first);
    }
  });
});
