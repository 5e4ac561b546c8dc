import { ConsulOptionError, ConsulNotFoundError, type QueryMeta } from '../src';
import { isUnknownCheckError } from '../src/endpoints/agent-check';
import { useAgent } from './support/agent';
import { statusServer, unique, waitFor } from './support/endpoints-helpers';

// Polls of real agents (check intervals, gossip) can take seconds on a loaded machine.
jest.setTimeout(30_000);

describe('agent endpoints', () => {
  const fx = useAgent();

  it('self reports the node and a parsed version', async () => {
    const self = await fx.client().agent.self();
    expect(self.config.nodeName).toBe(fx.agent.nodeName);
    expect(self.config.datacenter).toBe(fx.agent.datacenter);
    expect(self.version.text).toBe(fx.agent.version);
    const [major, minor, patch] = fx.agent.version.split('.').map((p) => parseInt(p, 10));
    expect(self.version).toMatchObject({ major, minor, patch });
    expect(self.member.state).toBe('alive');
    expect(self.raw).toHaveProperty('Config');
  });

  it('members lists the agent itself as alive', async () => {
    const members = await fx.client().agent.members();
    expect(members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: fx.agent.nodeName, state: 'alive' }),
      ]),
    );
  });

  it('registers a service and maps it back in camelCase, keeping meta keys verbatim', async () => {
    const consul = fx.client();
    const id = unique('web');
    await consul.agent.service.register({
      name: 'web',
      id,
      tags: ['v1', 'edge'],
      address: '127.0.0.2',
      port: 8080,
      meta: { Version: '2', build_id: 'abc-1' },
      weights: { passing: 5, warning: 1 },
      taggedAddresses: { wan: { address: '198.51.100.7', port: 443 } },
      enableTagOverride: true,
      check: { checkId: `${id}-ttl`, ttl: '30s', status: 'passing', notes: 'heartbeat' },
    });
    const services = await consul.agent.services();
    expect(services[id]).toMatchObject({
      id,
      service: 'web',
      tags: ['v1', 'edge'],
      address: '127.0.0.2',
      port: 8080,
      meta: { Version: '2', build_id: 'abc-1' },
      weights: { passing: 5, warning: 1 },
      enableTagOverride: true,
    });
    expect(services[id]?.taggedAddresses.wan).toEqual({ address: '198.51.100.7', port: 443 });

    let answered: QueryMeta | undefined;
    const one = await consul.agent.service(id, { onMeta: (meta) => (answered = meta) });
    expect(one?.id).toBe(id);
    // The instance's own metadata, not the answer's query metadata (that goes to onMeta).
    expect(one?.meta).toEqual({ Version: '2', build_id: 'abc-1' });
    expect(answered).toHaveProperty('knownLeader');
    expect(one?.contentHash).toMatch(/^[0-9a-f]+$/);
    const checks = await consul.agent.checks({ filter: `ServiceID == "${id}"` });
    expect(Object.keys(checks)).toEqual([`${id}-ttl`]);
    expect(checks[`${id}-ttl`]).toMatchObject({
      status: 'passing',
      notes: 'heartbeat',
      type: 'ttl',
    });
  });

  it('reads an unknown instance as undefined', async () => {
    expect(await fx.client().agent.service('no-such-instance')).toBeUndefined();
  });

  it('wakes a hash-blocking read of a service when its definition changes', async () => {
    const consul = fx.client();
    const id = unique('hash');
    await consul.agent.service.register({ name: 'hash', id, port: 1 });
    const first = await consul.agent.service(id);
    const pending = consul.agent.service(id, { hash: first?.contentHash, wait: '10s' });
    await new Promise((r) => setTimeout(r, 200));
    await consul.agent.service.register({ name: 'hash', id, port: 2 });
    const changed = await pending;
    expect(changed?.port).toBe(2);
    expect(changed?.contentHash).not.toBe(first?.contentHash);
  });

  it('keeps old checks on re-registration unless replaceExistingChecks is set', async () => {
    const consul = fx.client();
    const id = unique('rereg');
    const ttl = (checkId: string) => ({ checkId, ttl: '1m' });
    await consul.agent.service.register({ name: 'rereg', id, checks: [ttl('a'), ttl('b')] });
    await consul.agent.service.register({ name: 'rereg', id, checks: [ttl('c')] });
    const ids = async () =>
      Object.keys(await consul.agent.checks({ filter: `ServiceID == "${id}"` })).sort();
    expect(await ids()).toEqual(['a', 'b', 'c']);
    await consul.agent.service.register(
      { name: 'rereg', id, checks: [ttl('c')] },
      { replaceExistingChecks: true },
    );
    expect(await ids()).toEqual(['c']);
  });

  it('updates TTL checks with pass, warn, fail and update, and reports local health by code', async () => {
    const consul = fx.client();
    const id = unique('ttl');
    const checkId = `${id}-ttl`;
    await consul.agent.service.register({ name: id, id, check: { checkId, ttl: '1m' } });
    expect((await consul.agent.service.health(id)).status).toBe('critical');

    await consul.agent.check.pass(checkId, 'all good');
    let check = (await consul.agent.checks())[checkId];
    expect(check).toMatchObject({ status: 'passing', output: 'all good' });
    const health = await consul.agent.service.health(id);
    expect(health.status).toBe('passing');
    expect(health.service?.id).toBe(id);
    expect(health.checks.map((c) => c.checkId)).toEqual([checkId]);

    await consul.agent.check.warn(checkId, 'slow');
    expect((await consul.agent.service.health(id)).status).toBe('warning');
    expect((await consul.agent.service.healthByName(id)).status).toBe('warning');

    await consul.agent.check.fail(checkId);
    expect((await consul.agent.service.health(id)).status).toBe('critical');

    await consul.agent.check.update(checkId, 'passing', 'back');
    check = (await consul.agent.checks())[checkId];
    expect(check).toMatchObject({ status: 'passing', output: 'back' });
    const byName = await consul.agent.service.healthByName(id);
    expect(byName.status).toBe('passing');
    expect(byName.instances.map((i) => i.service.id)).toEqual([id]);
  });

  it('answers unknown for the local health of an unknown instance or service', async () => {
    const consul = fx.client();
    expect(await consul.agent.service.health('nope')).toEqual({
      status: 'unknown',
      service: undefined,
      checks: [],
    });
    expect(await consul.agent.service.healthByName('nope')).toEqual({
      status: 'unknown',
      instances: [],
    });
  });

  it('turns every "unknown check" answer of a TTL update into ConsulNotFoundError', async () => {
    const consul = fx.client();
    const err = await consul.agent.check.pass('no-such-check').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulNotFoundError);
    expect(isUnknownCheckError(err)).toBe(true);
    // 1.8.7 answers 500 "does not have associated TTL"; current versions 404.
    expect([404, 500]).toContain((err as ConsulNotFoundError).status);
    // A check that exists but is not a TTL check gets the same answer on 1.8.
    await expect(consul.agent.check.update('serfHealth', 'passing')).rejects.toBeInstanceOf(
      ConsulNotFoundError,
    );
  });

  it('runs an HTTP check against a loopback server', async () => {
    const consul = fx.client();
    let code = 200;
    const server = await statusServer(() => code);
    try {
      const id = unique('http');
      await consul.agent.service.register({
        name: id,
        id,
        check: {
          checkId: `${id}-http`,
          http: server.url,
          method: 'GET',
          header: { 'X-Probe': 'consul' },
          interval: '1s',
          timeout: '2s',
        },
      });
      await waitFor(async () => (await consul.agent.service.health(id)).status === 'passing');
      code = 429;
      await waitFor(async () => (await consul.agent.service.health(id)).status === 'warning');
      code = 500;
      await waitFor(async () => (await consul.agent.service.health(id)).status === 'critical');
      expect((await consul.agent.checks())[`${id}-http`]?.type).toBe('http');
    } finally {
      await server.close();
    }
  });

  it('registers and deregisters a standalone check attached to a service', async () => {
    const consul = fx.client();
    const id = unique('standalone');
    await consul.agent.service.register({ name: id, id });
    await consul.agent.check.register({
      id: `${id}-extra`,
      name: 'extra',
      serviceId: id,
      ttl: '30s',
      status: 'warning',
    });
    expect((await consul.agent.checks())[`${id}-extra`]).toMatchObject({
      serviceId: id,
      status: 'warning',
      name: 'extra',
    });
    expect(await consul.agent.check.deregister(`${id}-extra`)).toBe(true);
    expect((await consul.agent.checks())[`${id}-extra`]).toBeUndefined();
  });

  it('service maintenance removes the instance from passing results, then restores it', async () => {
    const consul = fx.client();
    const name = unique('maint');
    const id = `${name}-1`;
    await consul.agent.service.register({
      name,
      id,
      check: { checkId: `${id}-ttl`, ttl: '5m', status: 'passing' },
    });
    const passingIds = async () =>
      (await consul.health.service(name, { passing: true })).map((e) => e.service.id);
    await waitFor(async () => (await passingIds()).includes(id));

    await consul.agent.service.maintenance(id, true, 'draining for deploy');
    await waitFor(async () => (await passingIds()).length === 0);
    const maint = (await consul.agent.checks())[`_service_maintenance:${id}`];
    expect(maint).toMatchObject({ status: 'critical', notes: 'draining for deploy' });
    expect((await consul.agent.service.health(id)).status).toBe('maintenance');

    await consul.agent.service.maintenance(id, false);
    await waitFor(async () => (await passingIds()).includes(id));
    expect((await consul.agent.checks())[`_service_maintenance:${id}`]).toBeUndefined();
  });

  it('maintenance of an unknown instance is a ConsulNotFoundError', async () => {
    await expect(fx.client().agent.service.maintenance('nope', true)).rejects.toBeInstanceOf(
      ConsulNotFoundError,
    );
  });

  it('node maintenance adds and removes _node_maintenance', async () => {
    const consul = fx.client();
    await consul.agent.maintenance(true, 'kernel upgrade');
    expect((await consul.agent.checks())._node_maintenance).toMatchObject({
      status: 'critical',
      notes: 'kernel upgrade',
    });
    await consul.agent.maintenance(false);
    expect((await consul.agent.checks())._node_maintenance).toBeUndefined();
  });

  it('deregisters an instance, and returns normally for an unknown one', async () => {
    const consul = fx.client();
    const id = unique('gone');
    await consul.agent.service.register({
      name: 'gone',
      id,
      check: { checkId: `${id}-c`, ttl: '1m' },
    });
    expect(await consul.agent.service.deregister(id)).toBe(true);
    expect(await consul.agent.service(id)).toBeUndefined();
    expect((await consul.agent.checks())[`${id}-c`]).toBeUndefined();
    // 1.8.7 without ACLs answers 200 for unknown IDs (true); current versions 404 (false).
    await expect(consul.agent.service.deregister(id)).resolves.toEqual(expect.any(Boolean));
  });

  describe('definition validation (before anything is sent)', () => {
    // An address nobody listens on: a request would fail with ConsulUnavailableError instead.
    const offline = () => fx.client({ address: 'http://127.0.0.1:1', retry: false });

    it.each([
      [{ id: 'x' }, 'service.name'],
      [{ name: 'x', port: 70000 }, 'service.port'],
      [{ name: 'x', Foo: 1 }, 'service.Foo'],
      [{ name: 'x', id: 'a/b' }, 'service.id'],
      [{ name: 'x', meta: { 'consul-x': 'y' } }, 'service.meta.consul-x'],
      [{ name: 'x', meta: { ok: 1 } }, 'service.meta.ok'],
      [{ name: 'x', weights: { passing: 0 } }, 'service.weights.passing'],
      [
        { name: 'x', checks: [{ ttl: '10s' }, { http: 'http://x/' }] },
        'service.checks[1].interval',
      ],
      [{ name: 'x', check: { http: 'http://x/', tcp: 'x:1', interval: '1s' } }, 'service.check'],
      [{ name: 'x', check: {} }, 'service.check'],
      [{ name: 'x', check: { ttl: '10 s' } }, 'service.check.ttl'],
      [{ name: 'x', check: { ttl: '10s', status: 'ok' } }, 'service.check.status'],
      [{ name: 'x', check: { tcp: 'x:1', interval: '1s', method: 'GET' } }, 'service.check.method'],
      [{ name: 'x', check: { ttl: '10s', ID: 'c' } }, 'service.check.ID'],
    ])('rejects %j naming %s', async (definition, option) => {
      const consul = offline();
      const register = consul.agent.service.register as (d: unknown) => Promise<void>;
      const err = await register(definition).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConsulOptionError);
      expect((err as ConsulOptionError).option).toBe(option);
    });

    it('rejects a standalone check without a name and with an embedded-style checkId', async () => {
      const consul = offline();
      const register = consul.agent.check.register.bind(consul.agent.check) as (
        d: unknown,
      ) => Promise<void>;
      await expect(register({ ttl: '10s' })).rejects.toMatchObject({ option: 'check.name' });
      await expect(register({ name: 'n', checkId: 'x', ttl: '10s' })).rejects.toMatchObject({
        option: 'check.checkId',
      });
    });
  });
});
