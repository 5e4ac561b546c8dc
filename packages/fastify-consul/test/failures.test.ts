import { ConsulUnavailableError } from '@consulkit/core';
import { deadAddress, startConsul } from '@consulkit/testing';
import fastifyConsul from '../src';
import { boundPort, closeApps, makeApp, uniqueName, waitFor } from './support/helpers';

jest.setTimeout(60_000);

describe('an unreachable or dying agent', () => {
  afterEach(closeApps);

  it('logs a typed error at listen, keeps retrying with backoff, and the app stays up', async () => {
    const token = 'b9d0c1e7-never-log-this-token';
    const { app, logs } = makeApp();
    await app.register(fastifyConsul, {
      consul: { address: await deadAddress(), token, retry: false },
      service: { name: uniqueName('lonely') },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });

    const first = await waitFor(
      () => logs.find((l) => l.level === 50 && /Consul registration error/.test(l.msg)),
      (line) => line !== undefined,
    );
    expect(first?.err?.type).toBe('ConsulUnavailableError');
    expect(first?.err?.code).toBe('CONSUL_UNAVAILABLE');
    // Later attempts (backoff) are logged at debug by core, so the log is not flooded with errors.
    await waitFor(
      () => logs.filter((l) => l.level === 20 && /Registration failed again/.test(l.msg)).length,
      (n) => n >= 2,
    );
    expect(logs.filter((l) => l.level === 50 && /registration error/.test(l.msg))).toHaveLength(1);
    expect(app.consul.registration?.status).toBe('registering');

    const res = await fetch(`http://127.0.0.1:${boundPort(app)}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'passing' });

    await app.close();
    expect(JSON.stringify(logs)).not.toContain(token);
  });

  it('with failFast, listen rejects with the typed error', async () => {
    const { app } = makeApp();
    await app.register(fastifyConsul, {
      consul: { address: await deadAddress(), retry: false },
      service: { name: uniqueName('strict') },
      failFast: true,
    });
    await expect(app.listen({ port: 0, host: '127.0.0.1' })).rejects.toBeInstanceOf(
      ConsulUnavailableError,
    );
    expect(app.server.listening).toBe(false);
  });

  it('closes without hanging when the agent died after registration', async () => {
    const agent = await startConsul();
    try {
      const { app, logs } = makeApp();
      const name = uniqueName('orphan');
      await app.register(fastifyConsul, {
        consul: { address: agent.address, retry: false, timeout: '1s' },
        service: { name },
        deregisterTimeout: '1s',
        drain: '5s',
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      await waitFor(
        () => app.consul.registration?.status,
        (s) => s === 'registered',
      );
      // Resources whose closing needs the agent too: a held lock, an election, a store, a client.
      const held = await app.consul.lock(`${name}/lock`).acquire();
      const election = app.consul.leader(`${name}/leader`).start();
      await waitFor(
        () => election.isLeader,
        (v) => v,
      );
      const store = app.consul.config({ prefix: `${name}/config/`, optional: true });
      await store.ready();
      const users = app.consul.service('users');
      await agent.kill();
      await app.close();
      // Maintenance could not be set, so the drain wait was skipped; deregistration gave up.
      expect(logs.some((l) => l.level === 40 && /maintenance/.test(l.msg))).toBe(true);
      expect(logs.some((l) => l.level === 40 && /Could not deregister/.test(l.msg))).toBe(true);
      expect(app.consul.client.closed).toBe(true);
      expect(held.signal.aborted).toBe(true);
      expect(election.running).toBe(false);
      expect(store.closed).toBe(true);
      expect(users.closed).toBe(true);
    } finally {
      await agent.stop();
    }
  });
});
