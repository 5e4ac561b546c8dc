import { Consul, ConsulLockError, silentLogger } from '@consulkit/core';
import fastifyConsul from '../src';
import { closeApps, makeApp, uniqueName, useAgent, waitFor } from './support/helpers';

jest.setTimeout(40_000);

describe('recipes on app.consul are bound to the app lifetime', () => {
  const fx = useAgent();
  let adopted: Consul;
  beforeEach(() => {
    adopted = new Consul({ address: fx.agent.address, logger: silentLogger });
  });
  afterEach(async () => {
    await closeApps();
    await adopted.close();
  });

  /** An app adopting `adopted`: the client outlives the app, so the plugin must end its recipes. */
  async function appOnAdoptedClient() {
    const { app } = makeApp();
    await app.register(fastifyConsul, { client: adopted, service: false });
    await app.ready();
    return app;
  }

  it('config(): a hot-reloaded store, closed with the app', async () => {
    const consul = fx.client();
    const prefix = `${uniqueName('cfg')}/`;
    await consul.kv.put(`${prefix}timeout`, '3s');
    await consul.kv.put(`${prefix}limits.json`, '{"rps":10}');
    const app = await appOnAdoptedClient();
    const store = app.consul.config({ prefix });
    await store.ready();
    expect(store.get('timeout')).toBe('3s');
    expect(store.get('limits.json')).toEqual({ rps: 10 });

    await consul.kv.put(`${prefix}timeout`, '5s');
    await waitFor(
      () => store.get('timeout'),
      (v) => v === '5s',
    );
    await app.close();
    expect(store.closed).toBe(true);
    expect(adopted.closed).toBe(false);
  });

  it('lock(): a held lock is released when the app closes', async () => {
    const consul = fx.client();
    const key = `${uniqueName('lock')}/key`;
    const app = await appOnAdoptedClient();
    const held = await app.consul.lock(key).acquire();
    expect((await consul.kv.get(key))?.session).toBe(held.session);
    await app.close();
    expect(held.signal.aborted).toBe(true);
    const entry = await consul.kv.get(key);
    expect(entry?.session).toBeUndefined();
  });

  it('lock(): a pending acquisition stops waiting when the app closes', async () => {
    const key = `${uniqueName('lock')}/key`;
    const other = fx.client();
    const theirs = await other.lock(key).acquire();
    try {
      const app = await appOnAdoptedClient();
      const waiting = app.consul.lock(key).acquire();
      const outcome = waiting.then(
        () => 'acquired',
        (err: unknown) => err,
      );
      // Let the acquisition reach its blocking wait on the key, then close the app.
      await new Promise((r) => setTimeout(r, 300));
      await app.close();
      const err = await outcome;
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBe('acquired');
    } finally {
      await theirs.release();
    }
  });

  it('lock(): a caller signal still works alongside the app one', async () => {
    const key = `${uniqueName('lock')}/key`;
    const other = fx.client();
    const theirs = await other.lock(key).acquire();
    try {
      const app = await appOnAdoptedClient();
      const controller = new AbortController();
      const waiting = app.consul.lock(key).acquire({ signal: controller.signal });
      setTimeout(() => controller.abort(), 200);
      await expect(waiting).rejects.toBeInstanceOf(Error);
      expect(theirs.signal.aborted).toBe(false);
    } finally {
      await theirs.release();
    }
  });

  it('semaphore(): a held slot is released and a pending acquisition stops when the app closes', async () => {
    const consul = fx.client();
    const prefix = uniqueName('sem');
    const theirs = await consul.semaphore(`${prefix}/full`, 1).acquire();
    try {
      const app = await appOnAdoptedClient();
      const slot = await app.consul.semaphore(`${prefix}/slots`, 2).acquire();
      expect((await consul.kv.get(`${prefix}/slots/${slot.session}`))?.session).toBe(slot.session);
      const waiting = app.consul
        .semaphore(`${prefix}/full`, 1)
        .acquire()
        .then(
          () => 'acquired',
          (err: unknown) => err,
        );
      await new Promise((r) => setTimeout(r, 300));
      await app.close();
      expect(slot.signal.aborted).toBe(true);
      expect(await consul.kv.get(`${prefix}/slots/${slot.session}`)).toBeUndefined();
      const err = await waiting;
      expect(err).toBeInstanceOf(ConsulLockError);
      expect(err).toMatchObject({ reason: 'closed' });
    } finally {
      await theirs.release();
    }
  });

  it('leader(): campaigns when started and gives leadership up when the app closes', async () => {
    const consul = fx.client();
    const key = `${uniqueName('leader')}/key`;
    const app = await appOnAdoptedClient();
    const election = app.consul.leader(key).start();
    await waitFor(
      () => election.isLeader,
      (v) => v,
    );
    expect((await consul.kv.get(key))?.session).toBeDefined();
    await app.close();
    expect(election.isLeader).toBe(false);
    expect(election.running).toBe(false);
    expect((await consul.kv.get(key))?.session).toBeUndefined();
  });

  it('service(): closed with the app even on an adopted client', async () => {
    const app = await appOnAdoptedClient();
    const client = app.consul.service(uniqueName('svc'));
    await app.close();
    expect(client.closed).toBe(true);
  });

  it('keeps ConsulLockError typed for a lock misuse', async () => {
    const app = await appOnAdoptedClient();
    const lock = app.consul.lock(`${uniqueName('lock')}/key`);
    await lock.acquire();
    await expect(lock.acquire()).rejects.toBeInstanceOf(ConsulLockError);
  });
});
