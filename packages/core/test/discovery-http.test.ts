import { Agent, request } from 'undici';
import { ConsulOptionError, roundRobin, type Registration, silentLogger } from '../src';
import { type Backend, startBackend, stopAllBackends } from './http-backends';
import { useAgent } from './support/agent';
import { uniqueName, waitFor } from '@consulkit/testing';

jest.setTimeout(60_000);

/** Sends `total` GETs, `concurrency` at a time; calls `midway` once after half. Counts failures. */
async function load(
  send: () => Promise<string>,
  total: number,
  concurrency: number,
  midway?: () => Promise<void>,
): Promise<{ bodies: Map<string, number>; failures: unknown[] }> {
  const bodies = new Map<string, number>();
  const failures: unknown[] = [];
  let started = 0;
  let midwayDone: Promise<void> | undefined;
  const worker = async () => {
    while (started < total) {
      started++;
      if (midway && !midwayDone && started >= total / 2) midwayDone = midway();
      try {
        const body = await send();
        bodies.set(body, (bodies.get(body) ?? 0) + 1);
      } catch (err) {
        failures.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await midwayDone;
  return { bodies, failures };
}

describe('consul.http over consul.discovery (end to end)', () => {
  const fx = useAgent();
  let backends: Backend[] = [];
  let registrations: Registration[] = [];

  afterAll(async () => {
    await Promise.allSettled(registrations.map((r) => r.deregister({ timeout: '2s' })));
    await stopAllBackends();
  });

  it('balances 3 registered backends round-robin and loses no GET when one dies', async () => {
    const consul = fx.client({ logger: silentLogger });
    const name = uniqueName('e2e');
    backends = await Promise.all(['b0', 'b1', 'b2'].map((b) => startBackend(b)));
    registrations = backends.map((b) =>
      consul.register({
        name,
        port: b.port,
        address: '127.0.0.1',
        check: { http: '/health', interval: '1s' },
      }),
    );
    await Promise.all(registrations.map((r) => r.registered));

    const http = consul.http(name, {
      balancer: roundRobin(),
      retries: 2,
      timeout: '5s',
      ejection: { consecutiveFailures: 1, baseEjectionTime: '1s', maxEjectedPercent: 50 },
    });
    await waitFor(
      () => http.source.instances().length,
      (n) => n === 3,
      { timeout: 15_000 },
    );
    const get = async () => {
      const res = await http.get('/work');
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
      return text;
    };

    // Phase 1: all healthy. Each backend gets 1/3 ± 5 %.
    for (const b of backends) b.hits = 0;
    const steady = await load(get, 3_000, 16);
    expect(steady.failures).toEqual([]);
    const shares = backends.map((b) => (steady.bodies.get(b.name) ?? 0) / 3_000);
    console.log(
      `round robin shares over 3,000 GETs: ${shares.map((s) => s.toFixed(4)).join(', ')}`,
    );
    for (const share of shares) expect(Math.abs(share - 1 / 3)).toBeLessThanOrEqual(0.05 / 3);

    // Phase 2: kill one backend mid-run. No GET may fail: retries go to another instance, the
    // dead one is ejected, then dropped from discovery when its HTTP check goes critical.
    const victim = backends[1] as Backend;
    const chaos = await load(get, 3_000, 16, () => victim.kill());
    expect(chaos.failures).toEqual([]);
    expect((chaos.bodies.get('b0') ?? 0) + (chaos.bodies.get('b2') ?? 0)).toBeGreaterThan(1_500);
    await waitFor(
      () => http.source.instances().map((i) => i.port),
      (ports) => ports.length === 2 && !ports.includes(victim.port),
      { timeout: 10_000 },
    );

    // It comes back: its check passes again, discovery re-lists it, and it takes traffic again.
    await victim.restart();
    await waitFor(
      () => http.source.instances().length,
      (n) => n === 3,
      { timeout: 15_000 },
    );
    const before = victim.hits;
    const again = await load(get, 300, 4);
    expect(again.failures).toEqual([]);
    expect(victim.hits - before).toBeGreaterThan(50);
    expect(http.ejectedInstances()).toEqual([]);
    await http.close();
  });

  it('consul.interceptor() lets plain undici calls reach instances by service name', async () => {
    const consul = fx.client({ logger: silentLogger });
    const name = uniqueName('icpt');
    const pair = await Promise.all(['i0', 'i1'].map((b) => startBackend(b)));
    const regs = pair.map((b, i) =>
      consul.register({
        name,
        port: b.port,
        address: '127.0.0.1',
        tags: i === 0 ? ['primary'] : [],
        check: { http: '/health', interval: '1s', status: 'passing' },
      }),
    );
    registrations.push(...regs);
    await Promise.all(regs.map((r) => r.registered));

    const dispatcher = new Agent().compose(consul.interceptor());
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await request(`http://${name}/users/${i}`, { dispatcher });
      expect(res.statusCode).toBe(200);
      seen.add(await res.body.text());
    }
    expect([...seen].sort()).toEqual(['i0', 'i1']);
    // The logical name stays in the Host header.
    expect(pair[0]?.seen.at(-1)).toMatch(new RegExp(` ${name}$`));

    const primaryOnly = new Agent().compose(consul.interceptor({ discovery: { tag: 'primary' } }));
    for (let i = 0; i < 5; i++) {
      const res = await request(`http://${name}/x`, { dispatcher: primaryOnly });
      expect(await res.body.text()).toBe('i0');
    }
    expect(() => consul.interceptor({ discovery: { tag: 5 as never } })).toThrow(ConsulOptionError);
    await Promise.all([dispatcher.close(), primaryOnly.close()]);
  });
});
