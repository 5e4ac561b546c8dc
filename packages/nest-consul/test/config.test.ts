import { ConsulOptionError } from '@consulkit/core';
import { consulCli } from '@consulkit/testing';
import { Inject, Injectable, Module, type OnModuleInit, Scope } from '@nestjs/common';
import {
  ConsulConfig,
  type ConsulConfigChangeEvent,
  ConsulConfigKeyMissingError,
  ConsulModule,
  OnConsulConfigChange,
} from '../src';
import {
  closeApps,
  createApp,
  logs,
  PLATFORMS,
  startApp,
  useAgent,
  waitFor,
} from './support/helpers';

const TIMEOUT_KEY = 'config/cdn/origin_timeout';
const LIMITS_KEY = 'config/cdn/limits';

interface Limits {
  rps: number;
}

@Injectable()
class CdnSettings {
  @ConsulConfig(TIMEOUT_KEY, { default: '3s' }) originTimeout!: string;
  @ConsulConfig(LIMITS_KEY, { parse: 'json' }) limits: Limits | undefined;
  @ConsulConfig('config/cdn/retries', { parse: 'number' }) retries = 2;
  @ConsulConfig('config/cdn/frozen', { watch: false }) frozen: string | undefined;

  readonly changes: Array<[Limits | undefined, ConsulConfigChangeEvent<Limits>]> = [];

  @OnConsulConfigChange(LIMITS_KEY)
  onLimits(limits: Limits | undefined, event: ConsulConfigChangeEvent<Limits>): void {
    this.changes.push([limits, event]);
  }
}

/** A provider of another module that reads the config in its own onModuleInit. */
@Injectable()
class Consumer implements OnModuleInit {
  seenAtInit: string | undefined;
  constructor(@Inject(CdnSettings) private readonly settings: CdnSettings) {}
  onModuleInit(): void {
    this.seenAtInit = this.settings.originTimeout;
  }
}

@Module({ providers: [CdnSettings], exports: [CdnSettings] })
class SettingsModule {}

@Module({ imports: [SettingsModule], providers: [Consumer] })
class ConsumerModule {}

@Injectable()
class NeedsKey {
  @ConsulConfig('config/required/missing', { required: true }) value!: string;
}

@Injectable()
class BadParse {
  @ConsulConfig('config/cdn/origin_timeout', { parse: 'xml' as never }) value!: string;
}

@Injectable({ scope: Scope.TRANSIENT })
class PerConsumer {
  @ConsulConfig(TIMEOUT_KEY, { default: '3s' }) value!: string;
}

@Injectable()
class ConsumerA {
  constructor(@Inject(PerConsumer) readonly settings: PerConsumer) {}
}

@Injectable()
class ConsumerB {
  constructor(@Inject(PerConsumer) readonly settings: PerConsumer) {}
}

@Injectable({ scope: Scope.REQUEST })
class PerRequest {
  @ConsulConfig('config/cdn/origin_timeout', { default: '3s' }) value!: string;
}

describe.each(PLATFORMS)('@ConsulConfig on %s with a real agent', (_platform, adapter) => {
  const fx = useAgent();
  afterEach(closeApps);
  beforeEach(async () => {
    await fx.client().kv.delete('config/', { recurse: true });
  });

  function consulModule() {
    return ConsulModule.forRoot({
      isGlobal: true,
      consul: { address: fx.agent.address },
      service: false,
    });
  }

  it('reads the default before the key exists, then the CLI-written value without a restart', async () => {
    const app = await startApp({ imports: [consulModule(), ConsumerModule] }, adapter);
    const settings = app.get(CdnSettings);
    expect(settings.originTimeout).toBe('3s');
    // Loaded before dependents' onModuleInit ran.
    expect(app.get(Consumer).seenAtInit).toBe('3s');

    const written = Date.now();
    await consulCli(fx.agent, 'kv', 'put', TIMEOUT_KEY, '5s');
    await waitFor(
      () => settings.originTimeout,
      (v) => v === '5s',
      { timeout: 5_000, interval: 10 },
    );
    // Measured, not asserted (wall-clock assertions are flaky on a shared machine).
    process.stdout.write(
      `[nest-consul] ${_platform}: KV write → property ${Date.now() - written} ms\n`,
    );

    await consulCli(fx.agent, 'kv', 'delete', TIMEOUT_KEY);
    await waitFor(
      () => settings.originTimeout,
      (v) => v === '3s',
    );
  });

  it('reads values present at startup, and a field initializer is the default', async () => {
    const consul = fx.client();
    await consul.kv.put(TIMEOUT_KEY, '7s');
    await consul.kv.put(LIMITS_KEY, '{"rps": 5}');
    await consul.kv.put('config/cdn/frozen', 'first');
    const app = await startApp({ imports: [consulModule(), ConsumerModule] }, adapter);
    const settings = app.get(CdnSettings);
    expect(settings.originTimeout).toBe('7s');
    expect(settings.limits).toEqual({ rps: 5 });
    expect(Object.isFrozen(settings.limits)).toBe(true);
    expect(settings.retries).toBe(2);
    expect(settings.frozen).toBe('first');
    expect(app.get(Consumer).seenAtInit).toBe('7s');

    await consul.kv.put('config/cdn/retries', '4');
    await consul.kv.put('config/cdn/frozen', 'second');
    await waitFor(
      () => settings.retries,
      (v) => v === 4,
    );
    // watch: false read the key once.
    expect(settings.frozen).toBe('first');
  });

  it('keeps the previous object when a JSON key gets invalid JSON, and logs it', async () => {
    const app = await startApp({ imports: [consulModule(), ConsumerModule] }, adapter);
    const settings = app.get(CdnSettings);
    expect(settings.limits).toBeUndefined();

    await consulCli(fx.agent, 'kv', 'put', LIMITS_KEY, '{"rps": 10}');
    await waitFor(
      () => settings.limits,
      (v) => v?.rps === 10,
    );
    const good = settings.limits;

    await consulCli(fx.agent, 'kv', 'put', LIMITS_KEY, '{"rps": 20');
    const logged = await waitFor(
      () => logs.filter((l) => l.level === 'error' && l.message.includes(LIMITS_KEY)),
      (lines) => lines.length > 0,
    );
    expect(logged[0]?.message).toMatch(/not valid json.*keeping the last good value/);
    expect(logged[0]?.message).not.toContain('"rps": 20');
    expect(settings.limits).toBe(good);

    await consulCli(fx.agent, 'kv', 'put', LIMITS_KEY, '{"rps": 30}');
    await waitFor(
      () => settings.limits,
      (v) => v?.rps === 30,
    );
    // The change handler saw both good values, never the bad one.
    expect(settings.changes.map(([value]) => value)).toEqual([{ rps: 10 }, { rps: 30 }]);
    expect(settings.changes[1]?.[1]).toEqual({
      key: LIMITS_KEY,
      value: { rps: 30 },
      previous: { rps: 10 },
      deleted: false,
    });
  });

  it('fails startup naming a required key that does not exist', async () => {
    const app = await createApp({ imports: [consulModule()], providers: [NeedsKey] }, adapter);
    const error = await app.init().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConsulConfigKeyMissingError);
    expect((error as ConsulConfigKeyMissingError).key).toBe('config/required/missing');
    expect((error as Error).message).toContain('NeedsKey.value');
  });

  it('starts once the required key exists', async () => {
    await fx.client().kv.put('config/required/missing', 'here');
    const app = await startApp({ imports: [consulModule()], providers: [NeedsKey] }, adapter);
    expect(app.get(NeedsKey).value).toBe('here');
  });

  it('fails startup naming the option when parse is unknown', async () => {
    const app = await createApp({ imports: [consulModule()], providers: [BadParse] }, adapter);
    const error = await app.init().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConsulOptionError);
    expect((error as ConsulOptionError).option).toBe('BadParse.value.parse');
    expect((error as Error).message).toContain('"xml"');
  });

  it('binds every instance of a transient provider', async () => {
    const app = await startApp(
      { imports: [consulModule()], providers: [PerConsumer, ConsumerA, ConsumerB] },
      adapter,
    );
    const a = app.get(ConsumerA).settings;
    const b = app.get(ConsumerB).settings;
    expect(a).not.toBe(b);
    expect([a.value, b.value]).toEqual(['3s', '3s']);
    await consulCli(fx.agent, 'kv', 'put', TIMEOUT_KEY, '9s');
    await waitFor(
      () => [a.value, b.value],
      (values) => values.every((v) => v === '9s'),
    );
  });

  it('skips request-scoped providers with a warning', async () => {
    await startApp({ imports: [consulModule()], providers: [PerRequest] }, adapter);
    expect(
      logs.some(
        (l) =>
          l.level === 'warn' &&
          l.message.includes('PerRequest') &&
          l.message.includes('not a singleton'),
      ),
    ).toBe(true);
  });
});
