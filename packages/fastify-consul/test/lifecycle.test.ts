import { silentLogger, Consul as ConsulClient } from '@consulkit/core';
import { catalogIds, passingInstances as passing } from '@consulkit/testing';
import { type FastifyInstance } from 'fastify';
import fastifyConsul from '../src';
import { boundPort, closeApps, makeApp, uniqueName, useAgent, waitFor } from './support/helpers';

jest.setTimeout(30_000);

describe('lifecycle with a real agent and a real listen', () => {
  const fx = useAgent();
  afterEach(closeApps);

  interface StartOptions {
    options?: Partial<fastifyConsul.FastifyConsulOptions>;
    /** Runs before the plugin is registered (routes must exist before listen). */
    setup?: (app: FastifyInstance) => void;
    listen?: boolean;
    name?: string;
  }

  async function startApp({ options = {}, setup, listen = true, name }: StartOptions = {}) {
    const service = name ?? uniqueName('web');
    const made = makeApp();
    setup?.(made.app);
    await made.app.register(fastifyConsul, {
      consul: { address: fx.agent.address },
      service: { name: service, check: { interval: '1s' } },
      drain: '1s',
      ...options,
    });
    if (listen) await made.app.listen({ port: 0, host: '127.0.0.1' });
    return { ...made, name: service };
  }

  it('registers on listen (port 0) with the bound address and port, passing', async () => {
    const consul = fx.client();
    const { app, name, logs } = await startApp();
    const port = boundPort(app);
    const instances = await waitFor(
      () => passing(consul, name),
      (list) => list.length === 1,
    );
    expect(instances[0]?.port).toBe(port);
    const registration = app.consul.registration;
    expect(registration?.id).toBe(instances[0]?.id);
    expect(registration?.address).toBe('127.0.0.1');
    expect(registration?.port).toBe(port);
    const [entry] = await consul.health.service(name);
    const http = entry?.checks.find((c) => c.type === 'http');
    expect(http?.name).toBe(`${name} health route`);
    await waitFor(
      () => logs,
      (l) => l.some((line) => line.msg === 'Registered with Consul' && line.port === port),
    );
  });

  it('does not register on ready() alone', async () => {
    const consul = fx.client();
    const { app, name } = await startApp({ listen: false });
    await app.ready();
    expect(app.consul.registration).toBeUndefined();
    // The catalog is the truth: nothing under this name, even after a while.
    await new Promise((r) => setTimeout(r, 300));
    expect(await catalogIds(consul, name)).toEqual([]);
  });

  it('drains on close: not passing while an in-flight request completes, then deregistered', async () => {
    const consul = fx.client();
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    let slowStarted!: () => void;
    const started = new Promise<void>((resolve) => (slowStarted = resolve));
    const { app, name } = await startApp({
      // A drain window long enough for the polls below to see it on a loaded machine.
      options: { drain: '6s' },
      setup: (a) =>
        a.get('/slow', async () => {
          slowStarted();
          await slowGate;
          return { done: true };
        }),
    });
    const port = boundPort(app);
    await waitFor(
      () => passing(consul, name),
      (list) => list.some((i) => i.port === port),
    );
    const id = app.consul.registration?.id as string;

    const inFlight = fetch(`http://127.0.0.1:${port}/slow`);
    await started;
    const closing = app.close();
    // During the drain Consul reports the instance as not passing, while it is still registered.
    await waitFor(
      async () => ({
        passing: (await passing(consul, name)).map((i) => i.id),
        registered: await catalogIds(consul, name),
      }),
      (s) => !s.passing.includes(id) && s.registered.includes(id),
      { timeout: 5_900 },
    );
    const [entry] = await consul.health.service(name);
    expect(entry?.checks.some((c) => c.checkId === `_service_maintenance:${id}`)).toBe(true);
    releaseSlow();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await closing;
    expect(await catalogIds(consul, name)).toEqual([]);
  });

  it('app.consul.drain() drains while the server still serves, and close() does not repeat it', async () => {
    const consul = fx.client();
    const { app, name, logs } = await startApp({
      options: { drain: '1500ms' },
      setup: (a) => a.get('/ping', async () => 'pong'),
    });
    const port = boundPort(app);
    await waitFor(
      () => passing(consul, name),
      (list) => list.length === 1,
    );
    const draining = app.consul.drain();
    const during = await waitFor(
      async () => ({
        passing: (await passing(consul, name)).length,
        ping: await fetch(`http://127.0.0.1:${port}/ping`).then((r) => r.text()),
      }),
      (s) => s.passing === 0,
      { timeout: 1_400, interval: 50 },
    );
    expect(during.ping).toBe('pong');
    await draining;
    expect(await catalogIds(consul, name)).toEqual([]);
    expect(app.consul.registration?.status).toBe('deregistered');
    await app.close();
    expect(logs.filter((l) => /maintenance on/.test(l.msg))).toHaveLength(1);
  });

  it('reports the check functions through a TTL check', async () => {
    const consul = fx.client();
    const name = uniqueName('ttl');
    const { app } = await startApp({
      name,
      options: { service: { name }, ttl: '2s', healthRoute: false },
    });
    let healthy = true;
    app.consul.addCheck('db', () => (healthy ? true : { status: 'critical', output: 'db down' }));
    await waitFor(
      () => passing(consul, name),
      (list) => list.length === 1,
    );
    const [entry] = await consul.health.service(name);
    expect(entry?.checks.filter((c) => c.serviceId !== '').map((c) => c.type)).toEqual(['ttl']);
    healthy = false;
    const ttl = await waitFor(
      async () => (await consul.health.checks(name)).find((c) => c.type === 'ttl'),
      (c) => c?.status === 'critical',
    );
    expect(ttl?.output).toContain('db: critical (db down)');
    expect((await app.inject('/health')).statusCode).toBe(404);
  });

  it('registers with the initial verdict of the checks: critical stays out of passing', async () => {
    const consul = fx.client();
    const made = makeApp();
    const name = uniqueName('sick');
    await made.app.register(fastifyConsul, {
      consul: { address: fx.agent.address },
      service: { name, check: { interval: '1s' } },
    });
    made.app.consul.addCheck('boot', () => false);
    await made.app.listen({ port: 0, host: '127.0.0.1' });
    await waitFor(
      () => catalogIds(consul, name),
      (ids) => ids.length === 1,
    );
    const [entry] = await consul.health.service(name);
    expect(entry?.checks.find((c) => c.type === 'http')?.status).toBe('critical');
    expect(await passing(consul, name)).toEqual([]);
  });

  it('adopts a client without closing it, and still deregisters', async () => {
    const client = new ConsulClient({ address: fx.agent.address, logger: silentLogger });
    try {
      const consul = fx.client();
      const { app, name } = await startApp({ options: { consul: undefined, client, drain: 0 } });
      expect(app.consul.client).toBe(client);
      expect(app.consul.kv).toBe(client.kv);
      await waitFor(
        () => passing(consul, name),
        (list) => list.length === 1,
      );
      await app.close();
      expect(await catalogIds(consul, name)).toEqual([]);
      expect(client.closed).toBe(false);
      await client.kv.put(`${name}/still-open`, 'yes');
      expect((await client.kv.get(`${name}/still-open`))?.value).toBe('yes');
    } finally {
      await client.close();
    }
  });

  it('closes the client it created', async () => {
    const { app } = await startApp({ options: { service: false } });
    const client = app.consul.client;
    await app.close();
    expect(client.closed).toBe(true);
  });

  it('registers nothing with service: false, and app.consul.kv works', async () => {
    const consul = fx.client();
    const { app } = await startApp({ options: { service: false } });
    const key = `${uniqueName('kv')}/greeting`;
    await app.consul.kv.put(key, 'hello');
    expect((await consul.kv.get(key))?.value).toBe('hello');
    expect(app.consul.registration).toBeUndefined();
  });

  it('uses service.address and service.port over the bound ones', async () => {
    const consul = fx.client();
    const name = uniqueName('nat');
    await startApp({
      name,
      options: {
        service: { name, address: '10.1.2.3', port: 4444, check: false },
        healthRoute: false,
      },
    });
    const ids = await waitFor(
      () => consul.catalog.service(name),
      (list) => list.length === 1,
    );
    expect(ids[0]?.serviceAddress).toBe('10.1.2.3');
    expect(ids[0]?.servicePort).toBe(4444);
  });
});
