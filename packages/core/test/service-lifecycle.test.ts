import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { settlesWithin, startConsul, uniqueName, waitFor } from '@consulkit/testing';
import { Consul, type ConsulLogger } from '../src';
import { HEALTH_HTTP_STATUS, resolveServiceOptions, ServiceLifecycle } from '../src/adapter';
import { useAgent } from './support/agent';

/** A logger keeping every line, for assertions. */
function capture(): ConsulLogger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A loopback server answering the lifecycle's health route, as an adapter would. */
async function serve(life: () => ServiceLifecycle): Promise<Server> {
  const server = createServer((req, res) => {
    void life()
      .checks.run()
      .then((summary) => {
        res.writeHead(req.url === '/health' ? HEALTH_HTTP_STATUS[summary.status] : 404);
        res.end(JSON.stringify(summary));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function bound(server: Server): { address: string; port: number } {
  const { address, port } = server.address() as AddressInfo;
  return { address, port };
}

describe('ServiceLifecycle', () => {
  const fx = useAgent();
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  function lifecycle(options: Record<string, unknown>, client: Consul = fx.client()) {
    const logger = capture();
    const life = new ServiceLifecycle({
      options: resolveServiceOptions({ client, ...options }),
      client,
      logger,
      source: 'lifecycle test',
      addCheck: 'life.checks.add',
      closeReason: 'The test app is closing',
    });
    return { life, logger, client };
  }

  it('registers with the bound address once listening, drains, then deregisters', async () => {
    const name = uniqueName('life');
    const { life, logger, client } = lifecycle({
      service: { name, check: { interval: '1s' } },
      ttl: '10s',
      drain: '300ms',
    });
    const server = await serve(() => life);
    servers.push(server);
    expect(life.registration).toBeUndefined();
    await life.listen(bound(server));
    await life.listen(bound(server)); // once only
    const registration = life.registration;
    await registration?.registered;

    const [entry] = await waitFor(
      () => client.health.service(name, { passing: true }),
      (list) => list.length === 1,
    );
    expect(entry?.service).toMatchObject({ address: '127.0.0.1', port: bound(server).port });
    const ttl = entry?.checks.find((c) => c.name === `${name} application checks`);
    expect(ttl?.notes).toBe('Reports the checks added with life.checks.add (lifecycle test)');
    expect(logger.lines).toContainEqual({ level: 'info', message: 'Registered with Consul' });

    // A critical check function turns both the health route and the TTL check critical.
    life.checks.add('db', () => ({ status: 'critical', output: 'db down' }));
    await waitFor(
      () => client.health.service(name, { passing: true }),
      (list) => list.length === 0,
    );

    await life.drain();
    await life.drain(); // idempotent
    expect(registration?.status).toBe('deregistered');
    expect(await client.health.service(name)).toHaveLength(0);
    expect(logger.lines.filter((l) => /maintenance on/.test(l.message))).toHaveLength(1);
    await life.close();
    expect(client.closed).toBe(false); // adopted: the lifecycle never closes it
    await life.listen(bound(server)); // after shutdown: no new registration
    expect(await client.health.service(name)).toHaveLength(0);
  });

  it('does nothing with service: false, and closes a client it was given to own', async () => {
    const client = fx.client();
    const life = new ServiceLifecycle({
      options: {
        ...resolveServiceOptions({ service: false }),
        client: { owned: true, options: {} },
      },
      client,
      logger: capture(),
    });
    await life.listen({ address: '127.0.0.1', port: 1 });
    expect(life.registration).toBeUndefined();
    await life.drain();
    await life.close();
    expect(client.closed).toBe(true);
  });

  it('logs, and never rejects, when there is no port to register', async () => {
    const { life, logger } = lifecycle({ service: { name: uniqueName('socket') } });
    await life.listen({ address: undefined, port: undefined });
    expect(life.registration).toBeUndefined();
    expect(logger.lines).toContainEqual({
      level: 'error',
      message: 'Could not register with Consul',
    });
  });

  it('ends the recipes of its scope on close, while the adopted client stays open', async () => {
    const { life, client } = lifecycle({ service: false });
    const other = fx.client();
    const prefix = `${uniqueName('scope')}/`;
    await other.kv.put(`${prefix}mode`, 'fast');
    const store = life.scope.config({ prefix: `${prefix}` });
    await store.ready();
    const users = life.scope.service('users');
    expect(life.scope.service('users')).toBe(users);
    expect(() => life.scope.service('users', { retries: 5 })).toThrow(
      /"service\("users"\)\.options"/,
    );
    const held = await life.scope.lock(`${prefix}held`).acquire();
    const theirs = await other.lock(`${prefix}busy`).acquire();
    const pending = life.scope
      .lock(`${prefix}busy`)
      .acquire()
      .then(
        () => 'acquired',
        (err: unknown) => err,
      );
    const slot = await life.scope.semaphore(`${prefix}slots`, 2).acquire();
    const theirSlot = await other.semaphore(`${prefix}full`, 1).acquire();
    const pendingSlot = life.scope
      .semaphore(`${prefix}full`, 1)
      .acquire()
      .then(
        () => 'acquired',
        (err: unknown) => err,
      );
    const election = life.scope.leader(`${prefix}leader`).start();
    await waitFor(() => election.isLeader);

    await life.close();
    expect(slot.signal.aborted).toBe(true);
    expect(await other.kv.get(`${prefix}slots/${slot.session}`)).toBeUndefined();
    expect(await pendingSlot).toMatchObject({ code: 'CONSUL_LOCK', reason: 'closed' });
    await theirSlot.release();
    expect(store.closed).toBe(true);
    expect(users.closed).toBe(true);
    expect(held.signal.aborted).toBe(true);
    expect((await other.kv.get(`${prefix}held`))?.session).toBeUndefined();
    expect(await pending).toMatchObject({ code: 'CONSUL_ABORTED' });
    expect(election.running).toBe(false);
    expect((await other.kv.get(`${prefix}leader`))?.session).toBeUndefined();
    expect(client.closed).toBe(false);
    expect(await client.status.leader()).not.toBe('');
    await theirs.release();
  });

  /** Closes `life`, recording each finished session destroy as `label`, then `'closed'`. */
  async function closeRecordingDestroys(
    life: ServiceLifecycle,
    client: Consul,
    label: string,
  ): Promise<string[]> {
    const events: string[] = [];
    const destroy = client.session.destroy.bind(client.session);
    jest.spyOn(client.session, 'destroy').mockImplementation(async (...args) => {
      const done = await destroy(...args);
      events.push(label);
      return done;
    });
    await life.close();
    events.push('closed');
    return events;
  }

  it('close() returns only once a held lock is given back (its owner signal starts the release)', async () => {
    const { life, client } = lifecycle({ service: false });
    const key = `${uniqueName('scope-release')}/lock`;
    const held = await life.scope.lock(key).acquire();
    const events = await closeRecordingDestroys(life, client, 'lock session destroyed');
    expect(events).toEqual(['lock session destroyed', 'closed']);
    expect(held.signal.aborted).toBe(true);
    expect((await client.kv.get(key))?.session).toBeUndefined();
  });

  it('close() returns only once a held semaphore slot is given back', async () => {
    const { life, client } = lifecycle({ service: false });
    const prefix = uniqueName('scope-release');
    const slot = await life.scope.semaphore(prefix, 1).acquire();
    const events = await closeRecordingDestroys(life, client, 'slot session destroyed');
    expect(events).toEqual(['slot session destroyed', 'closed']);
    expect(slot.signal.aborted).toBe(true);
    expect(await client.kv.get(`${prefix}/${slot.session}`)).toBeUndefined();
  });

  it('leaves no closer behind for a recipe that ended on its own', async () => {
    const { life, client } = lifecycle({ service: false });
    let live = 0;
    const onClose = client.onClose.bind(client);
    jest.spyOn(client, 'onClose').mockImplementation((closer) => {
      live += 1;
      const off = onClose(closer);
      return () => {
        live -= 1;
        off();
      };
    });
    const lock = life.scope.lock(`${uniqueName('scope')}/own`);
    const held = await lock.acquire();
    expect(live).toBeGreaterThan(0); // the held lock is closed with the client and the scope
    await held.release();
    expect(live).toBe(0);
    const election = life.scope.leader(`${uniqueName('scope')}/leader`).start();
    await waitFor(() => election.isLeader);
    await election.stop();
    expect(live).toBe(0);
    await life.close();
  });

  it('never hangs shutdown on a dead agent: maintenance and deregistration are bounded', async () => {
    const agent = await startConsul();
    try {
      const { life, logger } = lifecycle(
        { service: { name: uniqueName('orphan') }, drain: '5s', deregisterTimeout: '500ms' },
        fx.client({ address: agent.address, retry: false, timeout: '1s' }),
      );
      const server = await serve(() => life);
      servers.push(server);
      await life.listen(bound(server));
      await life.registration?.registered;
      const held = await life.scope.lock(`${uniqueName('orphan')}/lock`).acquire();
      await agent.kill();
      expect(
        await settlesWithin(
          life.drain().then(() => life.close()),
          30_000,
        ),
      ).toBe('settled');
      const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
      expect(warnings).toContain('Could not enter Consul maintenance');
      expect(warnings.some((m) => m.startsWith('Could not deregister from Consul'))).toBe(true);
      expect(held.signal.aborted).toBe(true);
    } finally {
      await agent.stop();
    }
  });
});

describe('ServiceLifecycle.probe (failFast)', () => {
  const fx = useAgent();

  it('resolves when the agent answers', async () => {
    const logger = capture();
    const options = resolveServiceOptions({ service: false, failFast: true });
    const life = new ServiceLifecycle({ options, client: fx.client(), logger });
    await expect(life.probe()).resolves.toBeUndefined();
    expect(logger.lines).toEqual([]);
  });

  it('rejects with the typed error, and logs it, when the agent is unreachable', async () => {
    const client = new Consul({ address: 'http://127.0.0.1:1', retry: { retries: 0 } });
    try {
      const logger = capture();
      const options = resolveServiceOptions({ service: false, failFast: true });
      const life = new ServiceLifecycle({ options, client, logger });
      await expect(life.probe()).rejects.toMatchObject({ code: 'CONSUL_UNAVAILABLE' });
      expect(logger.lines).toEqual([
        {
          level: 'error',
          message: expect.stringMatching(/^Consul agent unreachable at startup \(failFast\): /),
        },
      ]);
      const relaxed = new ServiceLifecycle({
        options: resolveServiceOptions({ service: false, failFast: false }),
        client,
        logger,
      });
      await expect(relaxed.probe()).resolves.toBeUndefined();
      expect(logger.lines).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});
