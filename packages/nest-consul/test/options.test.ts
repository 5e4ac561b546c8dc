import { Consul, ConsulOptionError, silentLogger } from '@consulkit/core';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CONSUL_CLIENT, ConsulModule, ConsulService } from '../src';
import { closeApps, createApp, PLATFORMS, startApp, useAgent, waitFor } from './support/helpers';

/** What compiling a module with `imports` throws (or undefined). */
async function compileError(imports: unknown[]): Promise<unknown> {
  return Test.createTestingModule({ imports: imports as never })
    .compile()
    .then(
      async (moduleRef) => {
        await moduleRef.close();
        return undefined;
      },
      (err: unknown) => err,
    );
}

function optionOf(err: unknown): string | undefined {
  expect(err).toBeInstanceOf(ConsulOptionError);
  return (err as ConsulOptionError).option;
}

describe('module options validation (no Consul call is made)', () => {
  it.each([
    [{ service: { port: -1 } }, 'service.port'],
    [{ service: { name: 'web', port: -1 } }, 'service.port'],
    [{ service: { name: 'web', port: 70_000 } }, 'service.port'],
    [{ service: {} }, 'service.name'],
    [{ service: { name: 'bad name' } }, 'service.name'],
    [{}, 'service'],
    [{ service: false, drain: 'soon' }, 'drain'],
    [{ service: false, failFast: 'yes' }, 'failFast'],
    [{ service: false, consul: { address: 'ftp://x' } }, 'consul.address'],
    [{ service: false, colour: 'blue' }, 'colour'],
    [{ service: { name: 'web', check: { interval: '10ms' } } }, 'service.check.interval'],
    [{ service: { name: 'web', tags: 'v1' } }, 'service.tags'],
    [{ service: false, ttl: '100ms' }, 'ttl'],
    [{ service: false, healthRoute: 'health' }, 'healthRoute'],
  ])('forRoot(%j) fails startup naming %s', async (options, option) => {
    const err = await compileError([ConsulModule.forRoot(options as never)]);
    expect(optionOf(err)).toBe(option);
    expect((err as Error).message).toContain(`"${option}"`);
  });

  it('rejects `consul` and `client` together', async () => {
    const client = new Consul({ logger: silentLogger });
    try {
      const err = await compileError([
        ConsulModule.forRoot({ service: false, client, consul: {} }),
      ]);
      expect(optionOf(err)).toBe('client');
    } finally {
      await client.close();
    }
  });

  it('validates what a forRootAsync factory returns, and refuses healthRoute there', async () => {
    const bad = await compileError([
      ConsulModule.forRootAsync({ useFactory: () => ({ service: { name: 'web', port: -1 } }) }),
    ]);
    expect(optionOf(bad)).toBe('service.port');
    const route = await compileError([
      ConsulModule.forRootAsync({
        useFactory: () => ({ service: false, healthRoute: '/ready' }) as never,
      }),
    ]);
    expect(optionOf(route)).toBe('healthRoute');
    expect((route as Error).message).toContain('forRoot/forRootAsync directly');
  });
});

@Injectable()
class Settings {
  readonly consulAddress: string;
  constructor() {
    this.consulAddress = process.env.TEST_CONSUL_ADDRESS ?? '';
  }
}

@Module({ providers: [Settings], exports: [Settings] })
class SettingsModule {}

describe.each(PLATFORMS)('forRootAsync and client adoption on %s', (_platform, adapter) => {
  const fx = useAgent();
  afterEach(closeApps);

  it('builds the options with an injected factory, healthRoute as an extra', async () => {
    process.env.TEST_CONSUL_ADDRESS = fx.agent.address;
    const app = await startApp(
      {
        imports: [
          ConsulModule.forRootAsync({
            isGlobal: true,
            healthRoute: '/ready',
            imports: [SettingsModule],
            inject: [Settings],
            useFactory: (settings: Settings) => ({
              consul: { address: settings.consulAddress },
              service: { name: 'async-web', check: { interval: '1s' } },
              drain: '10ms',
            }),
          }),
        ],
      },
      adapter,
    );
    const consul = fx.client();
    const [entry] = await waitFor(
      () => consul.health.service('async-web', { passing: true }),
      (list) => list.length === 1,
    );
    expect(entry?.checks.some((c) => c.name === 'async-web health route')).toBe(true);
    expect(app.get(ConsulService).client.options.endpoints[0]?.origin).toBe(fx.agent.address);
  });

  it('adopts an existing client and never closes it', async () => {
    const client = fx.client();
    const app = await createApp(
      { imports: [ConsulModule.forRoot({ client, service: false })] },
      adapter,
    );
    await app.init();
    expect(app.get(CONSUL_CLIENT)).toBe(client);
    expect(app.get(ConsulService).client).toBe(client);
    await app.close();
    expect(client.closed).toBe(false);
    expect(await client.status.leader()).not.toBe('');
  });

  it('closes the client it created, and fails startup with failFast when the agent is unreachable', async () => {
    const app = await startApp(
      {
        imports: [ConsulModule.forRoot({ consul: { address: fx.agent.address }, service: false })],
      },
      adapter,
    );
    const client = app.get(ConsulService).client;
    await app.close();
    expect(client.closed).toBe(true);

    const dead = await createApp(
      {
        imports: [
          ConsulModule.forRoot({
            consul: { address: 'http://127.0.0.1:1', retry: { retries: 0 }, timeout: '1s' },
            service: false,
            failFast: true,
          }),
        ],
      },
      adapter,
    );
    await expect(dead.init()).rejects.toMatchObject({ code: 'CONSUL_UNAVAILABLE' });
  });
});
