import { ConsulOptionError } from '../src';
import { useAgent } from './support/agent';
import { unique, waitFor } from './support/endpoints-helpers';

// Polls of real agents (check intervals, gossip) can take seconds on a loaded machine.
jest.setTimeout(30_000);

describe('catalog endpoints', () => {
  const fx = useAgent();

  it('lists the datacenter and the agent node', async () => {
    const consul = fx.client();
    expect(await consul.catalog.datacenters()).toEqual([fx.agent.datacenter]);
    const nodes = await consul.catalog.nodes();
    expect(nodes.map((n) => n.node)).toContain(fx.agent.nodeName);
    expect(nodes.find((n) => n.node === fx.agent.nodeName)).toMatchObject({
      address: '127.0.0.1',
      datacenter: fx.agent.datacenter,
    });
    expect(nodes.meta.index).toBeGreaterThan(0);
  });

  it('lists services with the union of their tags and reads flat entries', async () => {
    const consul = fx.client();
    const name = unique('cat');
    await consul.agent.service.register({
      name,
      id: `${name}-1`,
      tags: ['a'],
      port: 81,
      meta: { Tier: 'gold' },
      weights: { passing: 3 },
    });
    await consul.agent.service.register({
      name,
      id: `${name}-2`,
      tags: ['b'],
      address: 'svc.local',
      port: 82,
    });
    await waitFor(async () => (await consul.catalog.service(name)).length === 2);
    const services = await consul.catalog.services();
    expect(services[name]?.sort()).toEqual(['a', 'b']);
    expect(services.consul).toEqual([]);

    const entries = await consul.catalog.service(name);
    const first = entries.find((e) => e.serviceId === `${name}-1`);
    expect(first).toMatchObject({
      node: fx.agent.nodeName,
      address: '127.0.0.1',
      serviceName: name,
      serviceTags: ['a'],
      serviceAddress: '',
      servicePort: 81,
      serviceMeta: { Tier: 'gold' },
      serviceWeights: { passing: 3, warning: 1 },
    });
    expect(entries.find((e) => e.serviceId === `${name}-2`)?.serviceAddress).toBe('svc.local');
    expect((await consul.catalog.service(name, { tag: 'b' })).map((e) => e.serviceId)).toEqual([
      `${name}-2`,
    ]);
    expect(
      (await consul.catalog.service(name, { filter: 'ServicePort == 81' })).map((e) => e.serviceId),
    ).toEqual([`${name}-1`]);
    const cached = await consul.catalog.service(name, { cached: true });
    expect(cached).toHaveLength(2);
    expect(await consul.catalog.service('no-such-service')).toEqual([]);
  });

  it('reads a node with its services, and an unknown node as undefined', async () => {
    const consul = fx.client();
    const node = await consul.catalog.node(fx.agent.nodeName);
    expect(node?.node.node).toBe(fx.agent.nodeName);
    expect(node?.services.consul?.service).toBe('consul');
    expect(await consul.catalog.node('no-such-node')).toBeUndefined();
  });

  it('registers and deregisters an external node, service and check', async () => {
    const consul = fx.client();
    const node = unique('ext');
    expect(
      await consul.catalog.register({
        node,
        address: '192.0.2.10',
        nodeMeta: { Rack: 'r1' },
        service: { service: 'legacy-db', id: `${node}-db`, port: 5432, tags: ['primary'] },
        check: {
          checkId: `${node}-db-check`,
          name: 'db',
          status: 'passing',
          serviceId: `${node}-db`,
        },
      }),
    ).toBe(true);
    const entries = await consul.catalog.service('legacy-db');
    expect(entries.find((e) => e.node === node)).toMatchObject({
      address: '192.0.2.10',
      nodeMeta: { Rack: 'r1' },
      serviceId: `${node}-db`,
      servicePort: 5432,
    });
    const health = await consul.health.service('legacy-db', { passing: true });
    expect(health.map((e) => e.node.node)).toContain(node);

    expect(await consul.catalog.deregister({ node, serviceId: `${node}-db` })).toBe(true);
    expect(
      (await consul.catalog.service('legacy-db')).find((e) => e.node === node),
    ).toBeUndefined();
    expect(await consul.catalog.deregister({ node })).toBe(true);
    expect(await consul.catalog.node(node)).toBeUndefined();
  });

  it('validates registrations before sending', async () => {
    const consul = fx.client({ address: 'http://127.0.0.1:1', retry: false });
    const register = consul.catalog.register.bind(consul.catalog) as (
      r: unknown,
    ) => Promise<boolean>;
    await expect(register({ address: '1.2.3.4' })).rejects.toMatchObject({
      option: 'registration.node',
    });
    await expect(
      register({ node: 'n', address: 'a', check: { checkId: 'c', name: 'c', status: 'up' } }),
    ).rejects.toMatchObject({ option: 'registration.check.status' });
    await expect(
      register({ node: 'n', address: 'a', service: { service: 's', port: -1 } }),
    ).rejects.toBeInstanceOf(ConsulOptionError);
  });
});
