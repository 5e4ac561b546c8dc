import { ConsulClosedError, type Consul } from '@consulkit/core';
import { Injectable } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import {
  ConsulConfig,
  ConsulConfigKeyMissingError,
  ConsulModule,
  ConsulService,
  LeaderOnly,
  OnConsulConfigChange,
} from '../src';
import {
  closeApp,
  closeApps,
  createApp,
  logs,
  startApp,
  uniqueName,
  useAgent,
  waitFor,
} from './support/helpers';

const express = () => new ExpressAdapter();

const WATCHED_KEY = 'guarantees/watched';
const MISSING_KEY = 'guarantees/missing';
const HANDLED_KEY = 'guarantees/handled';
const LEADER_KEY = 'guarantees/leader';

@Injectable()
class Watched {
  @ConsulConfig(WATCHED_KEY, { default: 'x' }) value!: string;
}

@Injectable()
class NeedsMissingKey {
  @ConsulConfig(MISSING_KEY, { required: true }) value!: string;
}

@Injectable()
class Handlers {
  @ConsulConfig(HANDLED_KEY, { parse: 'number', default: 0 }) value!: number;
  readonly seen: number[] = [];

  @OnConsulConfigChange(HANDLED_KEY)
  failing(): void {
    throw new Error('handler failed');
  }

  @OnConsulConfigChange(HANDLED_KEY)
  recording(value: number): void {
    this.seen.push(value);
  }
}

@Injectable()
class TwoJobsOneKey {
  @LeaderOnly(LEADER_KEY)
  first(): string {
    return 'first';
  }

  @LeaderOnly(LEADER_KEY)
  second(): string {
    return 'second';
  }
}

/** Claims of the nest README not covered by the other test files (on Express). */
describe('@consulkit/nest module guarantees', () => {
  const fx = useAgent();
  afterEach(closeApps);

  /** The module on an adopted client, so the test can look at what it left running. */
  function moduleOn(client: Consul) {
    return ConsulModule.forRoot({ isGlobal: true, client, service: false });
  }

  it('a failed startup (a required key is missing) ends what it started: no watch is left behind', async () => {
    const client = fx.client();
    await client.kv.delete(MISSING_KEY);
    const app = await createApp(
      { imports: [moduleOn(client)], providers: [Watched, NeedsMissingKey] },
      express,
    );
    await expect(app.init()).rejects.toBeInstanceOf(ConsulConfigKeyMissingError);
    expect(client.watches.size).toBe(0);
    // The adopted client itself stays usable.
    expect(await client.kv.put(WATCHED_KEY, 'y')).toBe(true);
  });

  it('a throwing @OnConsulConfigChange handler is logged and affects neither the property nor the other handlers', async () => {
    const client = fx.client();
    await client.kv.delete(HANDLED_KEY);
    const app = await startApp({ imports: [moduleOn(client)], providers: [Handlers] }, express);
    const handlers = app.get(Handlers);
    // Handlers are not called for the value read at startup.
    expect(handlers.seen).toEqual([]);
    await client.kv.put(HANDLED_KEY, '7');
    await waitFor(() => handlers.seen.length > 0, { timeout: 10_000 });
    expect(handlers.seen).toEqual([7]);
    expect(handlers.value).toBe(7);
    expect(logs.some((l) => l.level === 'error' && l.message.includes('handler failed'))).toBe(
      true,
    );
  });

  it('campaigns once per key per app, however many @LeaderOnly methods share the key', async () => {
    const client = fx.client();
    const app = await startApp(
      { imports: [moduleOn(client)], providers: [TwoJobsOneKey] },
      express,
    );
    const jobs = app.get(TwoJobsOneKey);
    await waitFor(() => jobs.first() === 'first', { timeout: 10_000 });
    expect(jobs.second()).toBe('second');
    const sessions = (await client.session.list()).filter((s) =>
      s.name.startsWith('Consul API Lock'),
    );
    expect(sessions).toHaveLength(1);
    await closeApp(app);
  });

  it('refuses service, config, lock and leader once the app has shut down', async () => {
    const app = await startApp({ imports: [moduleOn(fx.client())] }, express);
    const service = app.get(ConsulService);
    await closeApp(app);
    expect(() => service.service(uniqueName('users'))).toThrow(ConsulClosedError);
    expect(() => service.config({ prefix: 'closed/' })).toThrow(ConsulClosedError);
    expect(() => service.lock('closed/lock')).toThrow(ConsulClosedError);
    expect(() => service.leader('closed/leader')).toThrow(ConsulClosedError);
  });
});
