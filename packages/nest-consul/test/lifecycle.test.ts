import { type HealthCheck } from '@consulkit/core';
import { catalogIds, passingInstances as passing } from '@consulkit/testing';
import { request } from 'undici';
import { ConsulModule, ConsulService } from '../src';
import {
  boundPort,
  closeApp,
  closeApps,
  createApp,
  PLATFORMS,
  startApp,
  uniqueName,
  useAgent,
  waitFor,
} from './support/helpers';

describe.each(PLATFORMS)('service lifecycle on %s with a real agent', (_platform, adapter) => {
  const fx = useAgent();
  afterEach(closeApps);

  function consulModule(name: string, extra: Record<string, unknown> = {}) {
    return ConsulModule.forRoot({
      consul: { address: fx.agent.address },
      service: { name, check: { interval: '1s' } },
      drain: '1s',
      ...extra,
    });
  }

  it('registers on listen with its bound port, and Consul runs its health check', async () => {
    const name = uniqueName('web');
    const consul = fx.client();
    const app = await createApp({ imports: [consulModule(name)] }, adapter);
    await app.init();
    // Initialised but not listening: nothing registered yet.
    expect(await catalogIds(consul, name)).toEqual([]);

    await app.listen(0, '127.0.0.1');
    const port = boundPort(app);
    const instances = await waitFor(
      () => passing(consul, name),
      (list) => list.length === 1,
    );
    expect(instances[0]?.port).toBe(port);
    expect(app.get(ConsulService).registration?.port).toBe(port);

    // The HTTP check really polled the health route: the agent's own view of the check quotes our
    // JSON body (the catalog only syncs output-only changes every few minutes).
    const checks = await waitFor(
      async () =>
        Object.values((await consul.agent.checks()) as Record<string, HealthCheck>).filter(
          (c) => c.serviceName === name,
        ),
      (list) => list.some((c) => c.output.includes('"status":"passing"')),
    );
    const httpCheck = checks.find((c) => c.output.includes(`127.0.0.1:${port}/health`));
    expect(httpCheck?.status).toBe('passing');
  });

  it('drains (maintenance, not passing) and then deregisters on app.close()', async () => {
    const name = uniqueName('web');
    const consul = fx.client();
    // A drain long enough that a loaded machine cannot miss the window being observed.
    const app = await startApp({ imports: [consulModule(name, { drain: '4s' })] }, adapter);
    const [instance] = await waitFor(
      () => passing(consul, name),
      (list) => list.length === 1,
    );
    const id = instance?.id as string;

    const closing = closeApp(app);
    // During the drain the instance is still in the catalog but no longer passing.
    await waitFor(
      async () => ({
        passing: await passing(consul, name),
        catalog: await catalogIds(consul, name),
      }),
      (s) => s.passing.length === 0 && s.catalog.includes(id),
      { timeout: 8_000, interval: 20 },
    );
    await closing;
    expect(await catalogIds(consul, name)).toEqual([]);
  });

  it('serves the health route from the addCheck functions: 200, 429 or 503 with a JSON body', async () => {
    const name = uniqueName('web');
    const app = await startApp({ imports: [consulModule(name)] }, adapter);
    const consul = app.get(ConsulService);
    let status: 'passing' | 'warning' | 'critical' = 'passing';
    consul.addCheck('db', () => ({ status, output: `db is ${status}` }));
    const url = `http://127.0.0.1:${boundPort(app)}/health`;

    const ok = await request(url);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(await ok.body.json()).toEqual({
      service: name,
      status: 'passing',
      checks: { db: { status: 'passing', output: 'db is passing' } },
    });

    const head = await request(url, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    await head.body.dump();

    status = 'warning';
    const warn = await request(url);
    expect(warn.statusCode).toBe(429);
    await warn.body.dump();

    status = 'critical';
    const down = await request(url);
    expect(down.statusCode).toBe(503);
    expect(((await down.body.json()) as { status: string }).status).toBe('critical');
  });

  it('lets Consul see a critical check: the instance leaves the passing set', async () => {
    const name = uniqueName('web');
    const consul = fx.client();
    const app = await startApp({ imports: [consulModule(name)] }, adapter);
    await waitFor(
      () => passing(consul, name),
      (list) => list.length === 1,
    );
    app.get(ConsulService).addCheck('dependency', () => false);
    await waitFor(
      () => passing(consul, name),
      (list) => list.length === 0,
    );
  });

  it('serves the health route at a custom path, and none with healthRoute: false', async () => {
    const name = uniqueName('web');
    const custom = await startApp(
      { imports: [consulModule(name, { healthRoute: '/internal/ready' })] },
      adapter,
    );
    const res = await request(`http://127.0.0.1:${boundPort(custom)}/internal/ready`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();

    const none = await startApp(
      {
        imports: [
          ConsulModule.forRoot({
            consul: { address: fx.agent.address },
            service: false,
            healthRoute: false,
          }),
        ],
      },
      adapter,
    );
    const missing = await request(`http://127.0.0.1:${boundPort(none)}/health`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });

  it('with service: false registers nothing but still gives ConsulService', async () => {
    const consul = fx.client();
    const before = Object.keys(await consul.agent.services());
    const app = await startApp(
      {
        imports: [ConsulModule.forRoot({ consul: { address: fx.agent.address }, service: false })],
      },
      adapter,
    );
    const service = app.get(ConsulService);
    const key = uniqueName('kv/nest');
    await service.kv.put(key, 'v');
    expect((await consul.kv.get(key))?.value).toBe('v');
    expect(service.registration).toBeUndefined();
    expect(Object.keys(await consul.agent.services())).toEqual(before);
  });
});
