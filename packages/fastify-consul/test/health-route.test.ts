import { ConsulOptionError } from '@consulkit/core';
import fastifyConsul from '../src';
import { closeApps, makeApp } from './support/helpers';

async function appWith(options: Partial<fastifyConsul.FastifyConsulOptions> = {}) {
  const { app } = makeApp();
  await app.register(fastifyConsul, { service: { name: 'web' }, ...options });
  return app;
}

describe('health route and checks', () => {
  afterEach(closeApps);

  it('answers 200 passing with no check registered', async () => {
    const app = await appWith();
    const res = await app.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ service: 'web', status: 'passing', checks: {} });
  });

  it('aggregates check functions: worst status wins, 429 for warning, 503 for critical', async () => {
    const app = await appWith();
    let db: boolean | Error = true;
    app.consul.addCheck('db', async () => {
      if (db instanceof Error) throw db;
      return db;
    });
    app.consul.addCheck('queue', () => ({ status: 'warning', output: 'backlog 900' }));
    app.consul.addCheck('cache', () => undefined);

    let res = await app.inject('/health');
    expect(res.statusCode).toBe(429);
    expect(res.json()).toEqual({
      service: 'web',
      status: 'warning',
      checks: {
        db: { status: 'passing' },
        queue: { status: 'warning', output: 'backlog 900' },
        cache: { status: 'passing' },
      },
    });

    db = new Error('connection refused');
    res = await app.inject('/health');
    expect(res.statusCode).toBe(503);
    expect(res.json().status).toBe('critical');
    expect(res.json().checks.db).toEqual({ status: 'critical', output: 'connection refused' });

    db = false;
    res = await app.inject('/health');
    expect(res.json().checks.db).toEqual({ status: 'critical' });
  });

  it('counts a check that does not settle in checkTimeout as critical', async () => {
    const app = await appWith({ checkTimeout: '50ms' });
    app.consul.addCheck('stuck', () => new Promise<void>(() => undefined));
    const res = await app.inject('/health');
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.stuck).toEqual({
      status: 'critical',
      output: 'timed out after 50 ms',
    });
  });

  it('removes a check with the function addCheck returns', async () => {
    const app = await appWith();
    const remove = app.consul.addCheck('flaky', () => false);
    expect((await app.inject('/health')).statusCode).toBe(503);
    remove();
    expect((await app.inject('/health')).statusCode).toBe(200);
    expect(await app.consul.health()).toEqual({ status: 'passing', checks: {} });
  });

  it('rejects a duplicate or empty check name and a non-function', async () => {
    const app = await appWith();
    app.consul.addCheck('db', () => true);
    expect(() => app.consul.addCheck('db', () => true)).toThrow(ConsulOptionError);
    expect(() => app.consul.addCheck('', () => true)).toThrow(/addCheck\.name/);
    expect(() =>
      app.consul.addCheck('x', 'nope' as unknown as fastifyConsul.CheckFunction),
    ).toThrow(/addCheck\.x/);
  });

  it('serves a custom path, HEAD too, and nothing with healthRoute: false', async () => {
    const custom = await appWith({ healthRoute: '/_/status' });
    expect((await custom.inject('/_/status')).statusCode).toBe(200);
    expect((await custom.inject({ method: 'HEAD', url: '/_/status' })).statusCode).toBe(200);
    expect((await custom.inject('/health')).statusCode).toBe(404);

    const none = await appWith({ healthRoute: false });
    expect((await none.inject('/health')).statusCode).toBe(404);
  });

  it('omits the service name for a client-only app', async () => {
    const app = await appWith({ service: false });
    expect((await app.inject('/health')).json()).toEqual({ status: 'passing', checks: {} });
  });

  it('serves the route under the prefix of the context it is registered in', async () => {
    const { app } = makeApp();
    await app.register(
      async (child) => {
        await child.register(fastifyConsul, { service: false });
      },
      { prefix: '/api' },
    );
    expect((await app.inject('/api/health')).statusCode).toBe(200);
  });
});
