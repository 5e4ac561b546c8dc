import { Consul, silentLogger } from '@consulkit/core';
import { freePorts, startConsul, type ConsulAgent } from '@consulkit/testing';
import { Injectable } from '@nestjs/common';
import { ConsulConfig, ConsulModule, ConsulService } from '../src';
import { closeApps, logs, PLATFORMS, startApp, uniqueName, waitFor } from './support/helpers';

@Injectable()
class Settings {
  @ConsulConfig('config/outage/mode', { default: 'safe' }) mode!: string;
}

describe.each(PLATFORMS)('Consul unreachable at startup, on %s', (_platform, adapter) => {
  let agent: ConsulAgent | undefined;
  afterEach(async () => {
    await closeApps();
    await agent?.stop();
    agent = undefined;
  });

  it('starts on defaults without hanging, then registers and follows KV once the agent is up', async () => {
    const [port] = await freePorts(1);
    const address = `http://127.0.0.1:${port}`;
    const name = uniqueName('web');
    const app = await startApp(
      {
        imports: [
          ConsulModule.forRoot({
            isGlobal: true,
            consul: { address },
            service: { name, check: { interval: '1s' } },
            drain: '10ms',
          }),
        ],
        providers: [Settings],
      },
      adapter,
    );
    const settings = app.get(Settings);
    expect(settings.mode).toBe('safe');
    expect(logs.some((l) => l.level === 'warn' && l.message.includes('config/outage/mode'))).toBe(
      true,
    );

    agent = await startConsul({ httpPort: port });
    const consul = new Consul({ address, logger: silentLogger });
    try {
      await waitFor(
        () => consul.health.service(name, { passing: true }),
        (list) => list.length === 1,
        { timeout: 30_000, interval: 200 },
      );
      expect(app.get(ConsulService).registration?.status).toBe('registered');
      await consul.kv.put('config/outage/mode', 'full');
      await waitFor(
        () => settings.mode,
        (mode) => mode === 'full',
        { timeout: 30_000, interval: 100 },
      );
    } finally {
      await consul.close();
    }
  });
});
