import { ConsulBadRequestError, ConsulOptionError } from '../src';
import { useAgent } from './support/agent';
import { unique, waitFor } from './support/endpoints-helpers';

// Polls of real agents (check intervals, gossip) can take seconds on a loaded machine.
jest.setTimeout(30_000);

describe('health endpoints', () => {
  const fx = useAgent();
  const name = unique('api');

  beforeAll(async () => {
    const consul = fx.client();
    const instance = (n: number, tags: string[], status: 'passing' | 'warning' | 'critical') =>
      consul.agent.service.register({
        name,
        id: `${name}-${n}`,
        tags,
        port: 9000 + n,
        meta: { Zone: n === 1 ? 'a' : 'b' },
        check: { checkId: `${name}-${n}-ttl`, ttl: '10m', status },
      });
    await instance(1, ['v1', 'primary'], 'passing');
    await instance(2, ['v1'], 'warning');
    await instance(3, ['v2'], 'critical');
    await waitFor(async () => (await consul.health.service(name)).length === 3);
  });

  const ids = (entries: ReadonlyArray<{ service: { id: string } }>) =>
    entries.map((e) => e.service.id).sort();

  it('returns every instance with node, service and checks in camelCase', async () => {
    const entries = await fx.client().health.service(name);
    expect(ids(entries)).toEqual([`${name}-1`, `${name}-2`, `${name}-3`]);
    const first = entries.find((e) => e.service.id === `${name}-1`);
    expect(first?.node).toMatchObject({
      node: fx.agent.nodeName,
      address: '127.0.0.1',
      datacenter: fx.agent.datacenter,
    });
    expect(first?.node.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first?.service).toMatchObject({
      service: name,
      port: 9001,
      tags: ['v1', 'primary'],
      meta: { Zone: 'a' },
      weights: { passing: 1, warning: 1 },
    });
    expect(first?.service.createIndex).toBeGreaterThan(0);
    expect(first?.checks.map((c) => c.checkId).sort()).toEqual([`${name}-1-ttl`, 'serfHealth']);
    expect(entries.meta.index).toBeGreaterThan(0);
    expect(entries.meta.knownLeader).toBe(true);
  });

  it('passing keeps only instances whose every check passes (warning excluded)', async () => {
    expect(ids(await fx.client().health.service(name, { passing: true }))).toEqual([`${name}-1`]);
  });

  it('a tag list is an AND of repeated tag= parameters', async () => {
    const consul = fx.client();
    expect(ids(await consul.health.service(name, { tag: 'v1' }))).toEqual([
      `${name}-1`,
      `${name}-2`,
    ]);
    expect(ids(await consul.health.service(name, { tag: ['v1', 'primary'] }))).toEqual([
      `${name}-1`,
    ]);
    expect(await consul.health.service(name, { tag: ['v1', 'v2'] })).toEqual([]);
  });

  it('filters with an expression, and an invalid filter is a non-retried bad request', async () => {
    const consul = fx.client();
    expect(ids(await consul.health.service(name, { filter: 'Service.Meta.Zone == "b"' }))).toEqual([
      `${name}-2`,
      `${name}-3`,
    ]);
    let attempts = 0;
    const counting = fx.client({
      logger: {
        debug: (msg) => {
          if (msg.startsWith('Retrying')) attempts++;
        },
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
    });
    const err = await counting.health
      .service(name, { filter: 'Service.Nope ==' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulBadRequestError);
    expect((err as ConsulBadRequestError).retryable).toBe(false);
    expect(attempts).toBe(0);
  });

  it('answers an unknown service with an empty list and an index', async () => {
    const entries = await fx.client().health.service('no-such-service');
    expect(entries).toEqual([]);
    expect(entries.meta.index).toBeGreaterThan(0);
  });

  it('serves from the agent cache with cached', async () => {
    const consul = fx.client();
    await consul.health.service(name, { cached: true });
    const hit = await consul.health.service(name, { cached: true });
    expect(hit.meta.cacheHit).toBe(true);
    expect(ids(hit)).toHaveLength(3);
  });

  it('sorts by distance with near and accepts the local dc', async () => {
    const entries = await fx.client().health.service(name, {
      near: '_agent',
      dc: fx.agent.datacenter,
      stale: true,
    });
    expect(ids(entries)).toHaveLength(3);
  });

  it('blocks until the result changes past the given index', async () => {
    const consul = fx.client();
    const before = await consul.health.service(name, { passing: true });
    const pending = consul.health.service(name, {
      passing: true,
      index: before.meta.index,
      wait: '10s',
    });
    await new Promise((r) => setTimeout(r, 200));
    await consul.agent.check.pass(`${name}-2-ttl`);
    const after = await pending;
    expect(after.meta.index).toBeGreaterThan(before.meta.index);
    expect(ids(after)).toEqual([`${name}-1`, `${name}-2`]);
    await consul.agent.check.warn(`${name}-2-ttl`);
  });

  it('lists checks of a service, of a node and by state', async () => {
    const consul = fx.client();
    const checks = await consul.health.checks(name);
    expect(checks.map((c) => c.checkId).sort()).toEqual([
      `${name}-1-ttl`,
      `${name}-2-ttl`,
      `${name}-3-ttl`,
    ]);
    expect(checks.find((c) => c.checkId === `${name}-3-ttl`)).toMatchObject({
      status: 'critical',
      serviceId: `${name}-3`,
      serviceName: name,
      serviceTags: ['v2'],
      node: fx.agent.nodeName,
    });
    const node = await consul.health.node(fx.agent.nodeName);
    expect(node.map((c) => c.checkId)).toEqual(
      expect.arrayContaining(['serfHealth', `${name}-1-ttl`]),
    );
    const critical = await consul.health.state('critical');
    expect(critical.map((c) => c.checkId)).toContain(`${name}-3-ttl`);
    expect(critical.every((c) => c.status === 'critical')).toBe(true);
    const any = await consul.health.state('any', { filter: `ServiceName == "${name}"` });
    expect(any).toHaveLength(3);
  });

  it('validates the state and tag options before sending', async () => {
    const consul = fx.client();
    const state = consul.health.state.bind(consul.health) as (s: string) => Promise<unknown>;
    await expect(state('ok')).rejects.toBeInstanceOf(ConsulOptionError);
    await expect(consul.health.service(name, { tag: [''] })).rejects.toMatchObject({
      option: 'tag',
    });
    await expect(consul.health.service('')).rejects.toMatchObject({ option: 'name' });
  });
});
