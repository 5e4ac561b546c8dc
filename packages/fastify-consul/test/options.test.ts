import { Consul, ConsulOptionError, silentLogger } from '@consulkit/core';
import { deadAddress } from '@consulkit/testing';
import fastifyConsul from '../src';
import { closeApps, makeApp } from './support/helpers';

/** Registers the plugin with `options` and returns what `ready()` rejects with. */
async function readyError(options: unknown): Promise<unknown> {
  const { app } = makeApp();
  // Not awaited: the error must surface from ready(), as in the usual register-then-ready style.
  void app.register(fastifyConsul, options as fastifyConsul.FastifyConsulOptions);
  return app.ready().then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('plugin options', () => {
  afterEach(closeApps);

  it.each([
    ['service.name', { service: { name: '' } }, /"service\.name"/],
    ['drain', { service: false, drain: 'soon' }, /"drain".*"soon"/],
    ['healthRoute', { service: false, healthRoute: 42 }, /"healthRoute".*number 42/],
    ['healthRoute', { service: false, healthRoute: 'health' }, /"healthRoute"/],
    ['service', {}, /"service"/],
    ['service', { service: 'web' }, /"service"/],
    ['service.nam', { service: { nam: 'web' } }, /"service\.nam"/],
    ['helthRoute', { service: false, helthRoute: '/h' }, /"helthRoute"/],
    ['service.port', { service: { name: 'web', port: 0 } }, /"service\.port"/],
    ['service.id', { service: { name: 'web', id: 'a/b' } }, /"service\.id"/],
    ['service.tags[1]', { service: { name: 'web', tags: ['a', 3] } }, /"service\.tags\[1\]"/],
    ['service.meta.consul-x', { service: { name: 'web', meta: { 'consul-x': 'y' } } }, /meta/],
    ['service.weights.passing', { service: { name: 'web', weights: { passing: 0 } } }, /weights/],
    [
      'service.check.interval',
      { service: { name: 'web', check: { interval: '5 seconds' } } },
      /"service\.check\.interval"/,
    ],
    [
      'service.check.interval',
      { service: { name: 'web', check: { interval: '100ms' } } },
      /"service\.check\.interval".*at least 1s/,
    ],
    [
      'service.check.http',
      { service: { name: 'web', check: { http: true } }, healthRoute: false },
      /"service\.check\.http"/,
    ],
    [
      'service.checks[0].interval',
      { service: { name: 'web', checks: [{ tcp: true, interval: 'often' }] } },
      /"service\.checks\[0\]\.interval"/,
    ],
    [
      'service.deregisterCriticalServiceAfter',
      { service: { name: 'web', deregisterCriticalServiceAfter: '10s' } },
      /"service\.deregisterCriticalServiceAfter"/,
    ],
    ['ttl', { service: { name: 'web' }, ttl: '500ms' }, /"ttl".*at least 1s/],
    ['checkTimeout', { service: false, checkTimeout: 0 }, /"checkTimeout"/],
    ['deregisterTimeout', { service: false, deregisterTimeout: 'x' }, /"deregisterTimeout"/],
    ['failFast', { service: false, failFast: 'yes' }, /"failFast"/],
    ['closeOnSignals', { service: false, closeOnSignals: 'SIGTERM' }, /"closeOnSignals"/],
    ['closeOnSignals[1]', { service: false, closeOnSignals: ['SIGTERM', 'term'] }, /\[1\]/],
    ['consul.address', { service: false, consul: { address: 'ftp://x' } }, /"consul\.address"/],
    ['consul.retry.retries', { service: false, consul: { retry: { retries: -1 } } }, /retries/],
    ['consul', { service: false, consul: 'http://127.0.0.1:8500' }, /"consul"/],
    ['client', { service: false, client: { kv: {} } }, /"client"/],
  ])('rejects a bad %s, naming it', async (option, options, message) => {
    const err = await readyError(options);
    expect(err).toBeInstanceOf(ConsulOptionError);
    expect((err as ConsulOptionError).option).toBe(option);
    expect((err as Error).message).toMatch(message);
  });

  it('rejects "consul" and "client" together', async () => {
    const client = new Consul({ logger: silentLogger });
    try {
      const err = await readyError({ service: false, client, consul: {} });
      expect(err).toBeInstanceOf(ConsulOptionError);
      expect((err as ConsulOptionError).option).toBe('client');
    } finally {
      await client.close();
    }
  });

  it('never puts the token in an error message', async () => {
    const token = 'a7c1f0e2-secret-token-value';
    const err = await readyError({
      service: false,
      consul: { token, address: 'ftp://nowhere' },
    });
    expect((err as Error).message).not.toContain(token);
  });

  it('rejects a second registration on the same app with a typed error', async () => {
    const { app } = makeApp();
    await app.register(fastifyConsul, { service: false });
    void app.register(fastifyConsul, { service: false });
    const err = await app.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(fastifyConsul.FastifyConsulAlreadyRegisteredError);
    expect((err as { code: string }).code).toBe('FST_CONSUL_ALREADY_REGISTERED');
  });

  it('works in two sibling encapsulated contexts', async () => {
    const { app } = makeApp();
    const seen: boolean[] = [];
    for (let i = 0; i < 2; i++) {
      await app.register(async (child) => {
        await child.register(fastifyConsul, { service: false, healthRoute: `/health-${i}` });
        seen.push(child.hasDecorator('consul'));
      });
    }
    await app.ready();
    expect(seen).toEqual([true, true]);
    expect(app.hasDecorator('consul')).toBe(false);
  });

  it('accepts valid options without contacting Consul before listen', async () => {
    // Nothing listens at this address: ready() would fail if the plugin talked to Consul.
    const { app } = makeApp();
    await app.register(fastifyConsul, {
      consul: { address: await deadAddress() },
      service: {
        name: 'web',
        tags: ['v1'],
        meta: { version: '1' },
        weights: { passing: 2, warning: 1 },
        check: { interval: '2s', timeout: '1s', deregisterCriticalServiceAfter: '2m' },
        checks: [{ tcp: true, interval: '5s' }],
      },
      ttl: '10s',
      drain: 0,
      deregisterTimeout: '1s',
      closeOnSignals: false,
    });
    await expect(app.ready()).resolves.toBeDefined();
    expect(app.consul.registration).toBeUndefined();
  });

  it('does not mutate the caller options', async () => {
    const options = { service: { name: 'web', tags: ['a'] }, drain: '1s' };
    const copy = JSON.parse(JSON.stringify(options)) as unknown;
    const { app } = makeApp();
    await app.register(fastifyConsul, options);
    await app.ready();
    expect(options).toEqual(copy);
  });
});
