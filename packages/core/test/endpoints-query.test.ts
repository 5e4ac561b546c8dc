import { ConsulNotFoundError } from '../src';
import { useAgent } from './support/agent';
import { unique, waitFor } from './support/endpoints-helpers';

// Polls of real agents (check intervals, gossip) can take seconds on a loaded machine.
jest.setTimeout(30_000);

describe('prepared query endpoints', () => {
  const fx = useAgent();

  it('creates, lists, executes, updates and deletes a prepared query', async () => {
    const consul = fx.client();
    const svc = unique('pq');
    const ttl = (n: number, status: 'passing' | 'warning') => ({
      name: svc,
      id: `${svc}-${n}`,
      port: 7000 + n,
      tags: n === 1 ? ['blue'] : ['green'],
      check: { checkId: `${svc}-${n}-ttl`, ttl: '10m', status },
    });
    await consul.agent.service.register(ttl(1, 'passing'));
    await consul.agent.service.register(ttl(2, 'warning'));
    await waitFor(async () => (await consul.health.service(svc)).length === 2);

    const id = await consul.query.create({
      name: svc,
      service: { service: svc, onlyPassing: false, tags: ['!green'] },
      dns: { ttl: '10s' },
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const stored = await consul.query.get(id);
    expect(stored).toMatchObject({ id, name: svc, service: { service: svc, tags: ['!green'] } });
    expect(stored?.dns.ttl).toBe(10_000);
    expect((await consul.query.list()).map((q) => q.id)).toContain(id);

    const byName = await consul.query.execute(svc);
    expect(byName.service).toBe(svc);
    expect(byName.datacenter).toBe(fx.agent.datacenter);
    expect(byName.failovers).toBe(0);
    expect(byName.dns.ttl).toBe(10_000);
    expect(byName.nodes.map((e) => e.service.id)).toEqual([`${svc}-1`]);
    expect(byName.nodes[0]?.node.node).toBe(fx.agent.nodeName);

    await consul.query.update(id, { name: svc, service: { service: svc, onlyPassing: true } });
    const onlyPassing = await consul.query.execute(id, { near: '_agent', limit: 5 });
    expect(onlyPassing.nodes.map((e) => e.service.id)).toEqual([`${svc}-1`]);
    await consul.agent.check.pass(`${svc}-2-ttl`);
    await waitFor(async () => (await consul.query.execute(id)).nodes.length === 2);
    expect((await consul.query.execute(id, { limit: 1 })).nodes).toHaveLength(1);

    await consul.query.delete(id);
    expect(await consul.query.get(id)).toBeUndefined();
    await expect(consul.query.execute(svc)).rejects.toBeInstanceOf(ConsulNotFoundError);
  });

  it('validates definitions and options before sending', async () => {
    const consul = fx.client({ address: 'http://127.0.0.1:1', retry: false });
    const create = consul.query.create.bind(consul.query) as (d: unknown) => Promise<string>;
    await expect(create({ service: {} })).rejects.toMatchObject({
      option: 'query.service.service',
    });
    await expect(create({ service: { service: 's', Tags: [] } })).rejects.toMatchObject({
      option: 'query.service.Tags',
    });
    await expect(consul.query.execute('q', { limit: 0 })).rejects.toMatchObject({
      option: 'limit',
    });
  });
});
