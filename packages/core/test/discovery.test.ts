import diagnosticsChannel from 'node:diagnostics_channel';
import {
  ConsulOptionError,
  DIAGNOSTIC_CHANNELS,
  type DiscoveryChangeMessage,
  type ServiceInstance,
  silentLogger,
} from '../src';
import { useAgent } from './support/agent';
import { uniqueName, waitFor } from '@consulkit/testing';

jest.setTimeout(30_000);

const ids = (list: readonly ServiceInstance[]) => list.map((i) => i.id).sort();

describe('consul.discovery.service', () => {
  const fx = useAgent();
  const client = () => fx.client({ logger: silentLogger });

  it('maps health entries to instances: node address fallback, weights, tags, meta, status', async () => {
    const consul = client();
    const name = uniqueName('map');
    await consul.agent.service.register({
      name,
      id: `${name}-a`,
      port: 8080,
      tags: ['v1', 'blue'],
      meta: { version: '1.0', scheme: 'http' },
      weights: { passing: 5, warning: 2 },
      check: { ttl: '30s', status: 'passing', checkId: `${name}-a-ttl` },
    });
    await consul.agent.service.register({
      name,
      id: `${name}-b`,
      address: '127.0.0.2',
      port: 8081,
      check: { ttl: '30s', status: 'warning', checkId: `${name}-b-ttl` },
    });
    const all = consul.discovery.service(name, { passingOnly: false });
    await all.ready();
    const self = await consul.agent.self();
    const byId = new Map(all.instances().map((i) => [i.id, i]));
    expect(byId.get(`${name}-a`)).toEqual({
      id: `${name}-a`,
      service: name,
      address: self.member.addr, // empty Service.Address: the node's address
      port: 8080,
      tags: ['v1', 'blue'],
      meta: { version: '1.0', scheme: 'http' },
      weights: { passing: 5, warning: 2 },
      status: 'passing',
      node: self.config.nodeName,
      datacenter: 'dc1',
    });
    expect(byId.get(`${name}-b`)).toMatchObject({
      address: '127.0.0.2',
      weights: { passing: 1, warning: 1 },
      status: 'warning',
    });
    expect(Object.isFrozen(all.instances())).toBe(true);

    const passing = consul.discovery.service(name);
    await passing.ready();
    expect(ids(passing.instances())).toEqual([`${name}-a`]);
    const tagged = consul.discovery.service(name, { passingOnly: false, tag: 'blue' });
    const filtered = consul.discovery.service(name, {
      passingOnly: false,
      filter: 'Service.Port == 8081',
    });
    await Promise.all([tagged.ready(), filtered.ready()]);
    expect(ids(tagged.instances())).toEqual([`${name}-a`]);
    expect(ids(filtered.instances())).toEqual([`${name}-b`]);
    for (const c of [all, passing, tagged, filtered]) c.close();
  });

  it('shares one watch per distinct query and releases it with the last cache', async () => {
    const consul = client();
    const name = uniqueName('share');
    const before = consul.watches.size;
    const a = consul.discovery.service(name, { tag: ['x', 'y'] });
    const b = consul.discovery.service(name, { tag: ['y', 'x'] });
    const c = consul.discovery.service(name, { tag: 'x' });
    expect(a.query).toBe(b.query);
    expect(c.query).not.toBe(a.query);
    expect(consul.discovery.size).toBe(2);
    expect(consul.watches.size - before).toBe(2);
    await Promise.all([a.ready(), b.ready(), c.ready()]);
    expect(a.instances()).toEqual([]); // unknown service: an empty list, not an error (DSC-2)
    expect(a.healthy).toBe(true);
    expect(a.staleness()).toBe(0);

    a.close();
    a.close(); // idempotent
    expect(consul.discovery.size).toBe(2);
    b.close();
    expect(consul.discovery.size).toBe(1);
    c.close();
    expect(consul.discovery.size).toBe(0);
    await waitFor(
      () => consul.watches.size,
      (n) => n === before,
    );
    await expect(a.ready()).resolves.toBeUndefined(); // it had loaded before closing
  });

  it('emits change only when the instance set really changed', async () => {
    const consul = client();
    const name = uniqueName('chg');
    const cache = consul.discovery.service(name, { passingOnly: false });
    const changes: string[][] = [];
    cache.on('change', (list) => changes.push(ids(list)));
    const messages: DiscoveryChangeMessage[] = [];
    const onMessage = (m: unknown) => {
      if ((m as DiscoveryChangeMessage).service === name)
        messages.push(m as DiscoveryChangeMessage);
    };
    diagnosticsChannel.subscribe(DIAGNOSTIC_CHANNELS.discoveryChange, onMessage);
    try {
      await cache.ready();
      expect(changes).toEqual([]); // empty at first: nothing changed

      const def = {
        name,
        id: `${name}-1`,
        port: 9001,
        tags: ['a'],
        check: { ttl: '30s', status: 'passing' as const, checkId: `${name}-1-ttl` },
      };
      await consul.agent.service.register(def);
      await waitFor(
        () => changes.length,
        (n) => n === 1,
      );
      expect(changes[0]).toEqual([`${name}-1`]);

      // Not changes of the instance set: an identical re-registration, a TTL output update, and
      // an unrelated service. A sentinel change afterwards proves they were all seen and skipped.
      await consul.agent.service.register(def);
      await consul.agent.check.update(`${name}-1-ttl`, 'passing', 'still fine');
      await consul.agent.service.register({ name: `${name}-other`, port: 1 });
      await consul.agent.service.register({ ...def, tags: ['b'] });
      await waitFor(
        () => changes.length,
        (n) => n >= 2,
      );
      expect(changes).toHaveLength(2);
      expect(cache.instances()[0]?.tags).toEqual(['b']);

      await consul.agent.check.update(`${name}-1-ttl`, 'critical', 'down');
      await waitFor(
        () => cache.instances()[0]?.status,
        (s) => s === 'critical',
      );
      await consul.agent.service.deregister(`${name}-1`);
      await waitFor(
        () => cache.instances().length,
        (n) => n === 0,
      );
      expect(changes).toEqual([[`${name}-1`], [`${name}-1`], [`${name}-1`], []]);
      expect(messages.map((m) => [m.instances, m.added, m.removed])).toEqual([
        [1, [`${name}-1`], []],
        [1, [], []],
        [1, [], []],
        [0, [], [`${name}-1`]],
      ]);
    } finally {
      diagnosticsChannel.unsubscribe(DIAGNOSTIC_CHANNELS.discoveryChange, onMessage);
      cache.close();
    }
  });

  it('rejects bad options with typed errors naming them', () => {
    const consul = client();
    const cases: Array<[() => unknown, string]> = [
      [() => consul.discovery.service(''), 'name'],
      [() => consul.discovery.service('web', { tag: '' }), 'options.tag'],
      [
        () => consul.discovery.service('web', { passingOnly: 'yes' as never }),
        'options.passingOnly',
      ],
      [() => consul.discovery.service('web', { filter: 5 as never }), 'options.filter'],
      [() => consul.discovery.service('web', { passing: true } as never), 'options.passing'],
      [() => consul.discovery.service('web', { wait: '5 seconds' }), 'options.wait'],
      [() => consul.http('web', { retries: -1 }), 'retries'],
    ];
    for (const [fn, option] of cases) {
      expect(fn).toThrow(ConsulOptionError);
      expect(fn).toThrow(expect.objectContaining({ option }));
    }
    expect(consul.discovery.size).toBe(0);
  });

  it('keeps serving the last good list while the agent is down, and catches up when it returns', async () => {
    const consul = client();
    const name = uniqueName('outage');
    const reg = consul.register({ name, port: 9100, address: '127.0.0.1' }, { defaultTtl: '5s' });
    await reg.registered;
    const cache = consul.discovery.service(name);
    await waitFor(
      () => ids(cache.instances()),
      (list) => list.includes(reg.id),
    );
    const errors: Error[] = [];
    cache.on('error', (e) => errors.push(e));
    const changes: string[][] = [];
    cache.on('change', (list) => changes.push(ids(list)));

    await fx.agent.kill();
    try {
      await waitFor(
        () => cache.healthy,
        (h) => !h,
        { timeout: 10_000 },
      );
      expect(errors.length).toBeGreaterThan(0);
      await waitFor(
        () => cache.staleness(),
        (s) => s > 500,
      );
      expect(ids(cache.instances())).toEqual([reg.id]); // last known good, not emptied
      expect(cache.lastUpdated).toBeLessThan(Date.now());
      // A new query cannot load while the agent is away: ready() waits and honours its signal.
      const cold = consul.discovery.service(`${name}-cold`);
      await expect(cold.ready(AbortSignal.timeout(300))).rejects.toThrow();
      expect(cold.instances()).toEqual([]);
      cold.close();
    } finally {
      await fx.agent.restart();
    }
    // The dev agent forgot everything; the registration puts the instance back by itself, and a
    // new instance registered now shows up too.
    await consul.agent.service.register({
      name,
      id: `${name}-new`,
      port: 9101,
      check: { ttl: '30s', status: 'passing' },
    });
    await waitFor(
      () => ids(cache.instances()),
      (list) => list.includes(reg.id) && list.includes(`${name}-new`),
      { timeout: 10_000 },
    );
    expect(cache.healthy).toBe(true);
    expect(cache.staleness()).toBe(0);
    expect(changes.at(-1)).toEqual([reg.id, `${name}-new`].sort());
    cache.close();
    await reg.deregister();
  });
});
