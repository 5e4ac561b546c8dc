import { ConsulBadRequestError, ConsulOptionError, ConsulNotFoundError } from '../src';
import { ConsulSessionExpiredError } from '../src/endpoints/session';
import { useAgent } from './support/agent';
import { unique, waitFor } from './support/endpoints-helpers';

// Polls of real agents (check intervals, gossip) can take seconds on a loaded machine.
jest.setTimeout(30_000);

describe('session endpoints', () => {
  const fx = useAgent();

  it('creates a session and reads it back with durations in ms', async () => {
    const consul = fx.client();
    const name = unique('sess');
    const id = await consul.session.create({
      name,
      ttl: '15s',
      lockDelay: '5s',
      behavior: 'delete',
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const info = await consul.session.info(id);
    expect(info).toMatchObject({
      id,
      name,
      node: fx.agent.nodeName,
      ttl: 15_000,
      lockDelay: 5_000,
      behavior: 'delete',
      nodeChecks: ['serfHealth'],
    });
    expect(info?.meta.index).toBeGreaterThan(0);
    expect((await consul.session.list()).map((s) => s.id)).toContain(id);
    expect((await consul.session.node(fx.agent.nodeName)).map((s) => s.id)).toContain(id);
    expect(await consul.session.destroy(id)).toBe(true);
  });

  it('defaults to release, 15 s lock delay and no TTL', async () => {
    const consul = fx.client();
    const id = await consul.session.create();
    expect(await consul.session.info(id)).toMatchObject({
      behavior: 'release',
      lockDelay: 15_000,
      ttl: undefined,
    });
    await consul.session.destroy(id);
  });

  it('binds service checks: a critical check invalidates the session', async () => {
    const consul = fx.client();
    const svc = unique('bound');
    await consul.agent.service.register({
      name: svc,
      id: svc,
      check: { checkId: `${svc}-ttl`, ttl: '5m', status: 'passing' },
    });
    const id = await consul.session.create({
      nodeChecks: [],
      serviceChecks: [`${svc}-ttl`],
      lockDelay: 0,
    });
    expect((await consul.session.info(id))?.serviceChecks).toEqual([
      { id: `${svc}-ttl`, namespace: undefined },
    ]);
    await consul.agent.check.fail(`${svc}-ttl`);
    await waitFor(async () => (await consul.session.info(id)) === undefined);
  });

  it('refuses to create a session bound to a critical check (Consul 500, not retried)', async () => {
    const consul = fx.client();
    const svc = unique('crit');
    await consul.agent.service.register({
      name: svc,
      id: svc,
      check: { checkId: `${svc}-c`, ttl: '5m' },
    });
    const err = await consul.session
      .create({ serviceChecks: [`${svc}-c`] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulBadRequestError);
    expect((err as ConsulBadRequestError).body).toMatch(/critical state/);
  });

  it('renews a TTL session, then reports a destroyed one as expired', async () => {
    const consul = fx.client();
    const id = await consul.session.create({ ttl: '10s' });
    const renewed = await consul.session.renew(id);
    expect(renewed).toMatchObject({ id, ttl: 10_000 });
    expect(await consul.session.destroy(id)).toBe(true);
    const err = await consul.session.renew(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulSessionExpiredError);
    expect(err).toBeInstanceOf(ConsulNotFoundError);
    expect(err).toMatchObject({ code: 'CONSUL_NOT_FOUND', sessionId: id, status: 404 });
    // Destroy is idempotent; info of a gone session is undefined, not an error.
    expect(await consul.session.destroy(id)).toBe(true);
    expect(await consul.session.info(id)).toBeUndefined();
  });

  it('info blocks until the session changes', async () => {
    const consul = fx.client();
    const id = await consul.session.create();
    const first = await consul.session.info(id);
    const pending = consul.session.info(id, { index: first?.meta.index, wait: '10s' });
    await new Promise((r) => setTimeout(r, 200));
    await consul.session.destroy(id);
    expect(await pending).toBeUndefined();
  });

  it.each([
    [{ ttl: '9s' }, 'ttl'],
    [{ ttl: '86401s' }, 'ttl'],
    [{ ttl: '30' }, 'ttl'],
    [{ ttl: 5_000 }, 'ttl'],
    [{ lockDelay: '61s' }, 'lockDelay'],
    [{ lockDelay: -1 }, 'lockDelay'],
    [{ behavior: 'keep' }, 'behavior'],
    [{ nodeChecks: 'serfHealth' }, 'nodeChecks'],
    [{ serviceChecks: [''] }, 'serviceChecks[0]'],
  ])('validates %j before sending (option %s)', async (options, option) => {
    const consul = fx.client({ address: 'http://127.0.0.1:1', retry: false });
    const create = consul.session.create.bind(consul.session) as (o: unknown) => Promise<string>;
    const err = await create(options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulOptionError);
    expect((err as ConsulOptionError).option).toBe(option);
  });

  it('accepts the TTL bounds 10s and 24h', async () => {
    const consul = fx.client();
    for (const ttl of ['10s', '24h', 86_400_000]) {
      const id = await consul.session.create({ ttl });
      expect((await consul.session.info(id))?.ttl).toBe(
        typeof ttl === 'number' ? ttl : ttl === '10s' ? 10_000 : 86_400_000,
      );
      await consul.session.destroy(id);
    }
  });

  it('rejects a malformed session ID before sending', async () => {
    await expect(fx.client().session.renew('not-a-uuid')).rejects.toMatchObject({ option: 'id' });
  });
});
