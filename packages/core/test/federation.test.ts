import { startFederation, uniqueName, waitFor, type ConsulFederation } from '@consulkit/testing';
import { Agent, request } from 'undici';
import {
  Consul,
  ConsulNoInstanceError,
  ConsulTimeoutError,
  ConsulUnavailableError,
  silentLogger,
  type Registration,
} from '../src';
import { type Backend, startBackend, stopAllBackends } from './http-backends';

jest.setTimeout(90_000);

/**
 * Every call goes through dc1's agent (the application's local one) with `dc: 'dc2'`; what dc2
 * holds is checked through a client of dc2's own agent, so a `dc` dropped on the way shows as dc1's
 * answer.
 */
describe('dc on a federation (real dc1 + dc2, calls through dc1)', () => {
  let fed: ConsulFederation;
  const clients: Consul[] = [];
  const registrations: Registration[] = [];
  const backends: Record<string, Backend> = {};
  let local: Consul;
  let remote: Consul;
  /** One service registered in both datacenters, each instance answering its datacenter's name. */
  let both: string;
  let dispatcher: Agent | undefined;

  const clientOf = (dc: string): Consul => {
    const client = new Consul({ address: fed.dc(dc).address, logger: silentLogger });
    clients.push(client);
    return client;
  };

  const register = async (client: Consul, name: string, port: number): Promise<void> => {
    const registration = client.register({ name, address: '127.0.0.1', port });
    registrations.push(registration);
    await registration.registered;
  };

  beforeAll(async () => {
    fed = await startFederation({ datacenters: ['dc1', 'dc2'] });
    local = clientOf('dc1');
    remote = clientOf('dc2');
    both = uniqueName('fed');
    for (const dc of ['dc1', 'dc2']) {
      const backend = await startBackend(`in-${dc}`);
      backends[dc] = backend;
      await register(dc === 'dc1' ? local : remote, both, backend.port);
    }
  });

  afterAll(async () => {
    await dispatcher?.close();
    await Promise.allSettled(registrations.map((r) => r.deregister({ timeout: '2s' })));
    await Promise.all(clients.map((c) => c.close()));
    await stopAllBackends();
    await fed?.stop();
  });

  it('kv.put/get/list/keys with dc read and write dc2’s store', async () => {
    const prefix = `${uniqueName('fedkv')}/`;
    expect(await local.kv.put(`${prefix}a`, 'for-dc2', { dc: 'dc2' })).toBe(true);
    await local.kv.put(`${prefix}a`, 'for-dc1');

    expect((await remote.kv.get(`${prefix}a`))?.value).toBe('for-dc2');
    expect((await local.kv.get(`${prefix}a`))?.value).toBe('for-dc1');
    expect((await local.kv.get(`${prefix}a`, { dc: 'dc2' }))?.value).toBe('for-dc2');

    await remote.kv.put(`${prefix}b`, 'only-dc2');
    const listed = await local.kv.list(prefix, { dc: 'dc2' });
    expect(listed.map((e) => [e.key, e.value])).toEqual([
      [`${prefix}a`, 'for-dc2'],
      [`${prefix}b`, 'only-dc2'],
    ]);
    expect(await local.kv.keys(prefix, { dc: 'dc2' })).toEqual([`${prefix}a`, `${prefix}b`]);
    expect(await local.kv.get(`${prefix}b`)).toBeUndefined();
  });

  it('health.service and catalog.service with dc list dc2’s instance, not dc1’s', async () => {
    const port = (dc: string) => backends[dc]?.port;
    const health = await waitFor(
      () => local.health.service(both, { dc: 'dc2' }),
      (list) => list.length === 1,
    );
    expect(health.map((e) => [e.node.datacenter, e.service.port])).toEqual([['dc2', port('dc2')]]);
    const localHealth = await local.health.service(both);
    expect(localHealth.map((e) => [e.node.datacenter, e.service.port])).toEqual([
      ['dc1', port('dc1')],
    ]);

    const catalog = await local.catalog.service(both, { dc: 'dc2' });
    expect(catalog.map((s) => [s.datacenter, s.servicePort])).toEqual([['dc2', port('dc2')]]);
    expect((await local.catalog.service(both)).map((s) => s.datacenter)).toEqual(['dc1']);
  });

  it('catalog.datacenters() lists both datacenters, from either agent', async () => {
    expect([...(await local.catalog.datacenters())].sort()).toEqual(['dc1', 'dc2']);
    expect([...(await remote.catalog.datacenters())].sort()).toEqual(['dc1', 'dc2']);
  });

  it('the discovery cache with dc sees dc2’s instances and their changes', async () => {
    const name = uniqueName('feddisc');
    const first = await startBackend('disc-1');
    await register(remote, name, first.port);
    const cache = local.discovery.service(name, { dc: 'dc2' });
    const localCache = local.discovery.service(name);
    try {
      await cache.ready();
      await localCache.ready();
      await waitFor(() => cache.instances().length === 1, { what: 'dc2 instance seen' });
      expect(cache.instances().map((i) => i.port)).toEqual([first.port]);
      expect(localCache.instances()).toEqual([]);

      const second = await startBackend('disc-2');
      await register(remote, name, second.port);
      await waitFor(() => cache.instances().length === 2, { what: 'second dc2 instance seen' });
      expect(
        cache
          .instances()
          .map((i) => i.port)
          .sort(),
      ).toEqual([first.port, second.port].sort());
      expect(localCache.instances()).toEqual([]);
    } finally {
      cache.close();
      localCache.close();
    }
  });

  it('consul.http(name, { dc }) calls the dc2 backend; without dc, the dc1 one', async () => {
    const toDc2 = local.http(both, { dc: 'dc2' });
    const toDc1 = local.http(both);
    const text = async (client: typeof toDc2) => (await client.get('/who')).body.text();
    expect(await text(toDc2)).toBe('in-dc2');
    expect(await text(toDc2)).toBe('in-dc2');
    expect(await text(toDc1)).toBe('in-dc1');
  });

  it('a prepared query with failover.datacenters answers dc2’s instance when dc1 has none passing', async () => {
    const name = uniqueName('fedpq');
    // dc1's instance exists but is critical: the query must look past it, not return it.
    await local.agent.service.register({
      name,
      id: `${name}-dc1`,
      address: '127.0.0.1',
      port: 7001,
      check: { checkId: `${name}-dc1-ttl`, ttl: '10m', status: 'critical' },
    });
    await register(remote, name, 7002);
    const id = await local.query.create({
      name,
      service: { service: name, failover: { datacenters: ['dc2'] } },
    });
    try {
      const failedOver = await waitFor(
        () => local.query.execute(id),
        (r) => r.nodes.length === 1,
      );
      expect(failedOver.datacenter).toBe('dc2');
      expect(failedOver.failovers).toBe(1);
      expect(failedOver.nodes.map((e) => [e.node.datacenter, e.service.port])).toEqual([
        ['dc2', 7002],
      ]);

      // dc1 recovers: the local instance answers again, without failover.
      await local.agent.check.pass(`${name}-dc1-ttl`);
      const back = await waitFor(
        () => local.query.execute(id),
        (r) => r.datacenter === 'dc1' && r.nodes.length === 1,
      );
      expect(back.failovers).toBe(0);
      expect(back.nodes.map((e) => e.service.port)).toEqual([7001]);

      // Queries live in their datacenter: one stored in dc2 through dc1 runs there.
      const remoteId = await local.query.create(
        { name, service: { service: name } },
        { dc: 'dc2' },
      );
      expect((await remote.query.get(remoteId))?.name).toBe(name);
      expect(await local.query.get(remoteId)).toBeUndefined();
      const inDc2 = await local.query.execute(name, { dc: 'dc2' });
      expect([inDc2.datacenter, inDc2.failovers]).toEqual(['dc2', 0]);
      expect(inDc2.nodes.map((e) => e.service.port)).toEqual([7002]);
      await local.query.delete(remoteId, { dc: 'dc2' });
      expect(await remote.query.get(remoteId)).toBeUndefined();
    } finally {
      await local.query.delete(id);
      await local.agent.service.deregister(`${name}-dc1`);
    }
  });

  it('a misnamed datacenter is a typed error naming it, never the local dc’s answer', async () => {
    const strict = new Consul({
      address: fed.dc('dc1').address,
      logger: silentLogger,
      retry: false,
    });
    clients.push(strict);
    const noPath = {
      status: 500,
      body: expect.stringMatching(/no path to datacenter/i) as unknown,
    };
    await expect(strict.kv.get('any', { dc: 'dc9' })).rejects.toBeInstanceOf(
      ConsulUnavailableError,
    );
    await expect(strict.kv.get('any', { dc: 'dc9' })).rejects.toMatchObject(noPath);
    await expect(strict.health.service(both, { dc: 'dc9' })).rejects.toMatchObject(noPath);
    await expect(strict.catalog.service(both, { dc: 'dc9' })).rejects.toMatchObject(noPath);
    await expect(strict.kv.put('any', 'x', { dc: 'dc9' })).rejects.toMatchObject(noPath);
    // With the default retry policy it is retried (Consul says the same while a known datacenter
    // is unreachable), then rejected the same way: bounded, not a hang.
    await expect(local.kv.get('any', { dc: 'dc9' })).rejects.toMatchObject(noPath);

    // The service client and the interceptor wait for a first list, then say why there is none.
    const misrouted = local.http(both, { dc: 'dc9', timeout: '3s' });
    const timedOut = misrouted.get('/who');
    await expect(timedOut).rejects.toBeInstanceOf(ConsulTimeoutError);
    await expect(timedOut).rejects.toThrow(/no path to datacenter/i);
    await expect(timedOut).rejects.toMatchObject({ cause: noPath });
    dispatcher = new Agent();
    const routed = dispatcher.compose(local.interceptor({ readyTimeout: '3s' }));
    const viaHost = request(`http://${both}.service.dc9.consul/who`, { dispatcher: routed });
    await expect(viaHost).rejects.toBeInstanceOf(ConsulNoInstanceError);
    await expect(viaHost).rejects.toThrow(/no path to datacenter/i);

    // The discovery cache keeps no instance (not dc1's) and reports why.
    const cache = local.discovery.service(both, { dc: 'dc9' });
    try {
      await waitFor(() => cache.lastError, { what: 'discovery error for dc9' });
      expect(cache.lastError).toBeInstanceOf(ConsulUnavailableError);
      expect(cache.lastError).toMatchObject(noPath);
      expect(cache.instances()).toEqual([]);
      expect(cache.healthy).toBe(false);
    } finally {
      cache.close();
    }
  });
});
