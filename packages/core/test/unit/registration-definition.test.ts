import { type NetworkInterfaceInfo } from 'node:os';
import { ConsulOptionError, type ConsulVersion } from '../../src';
import { planRegistration } from '../../src/registration/check-plan';
import { evaluateHealth } from '../../src/registration/health-report';
import {
  detectAddress,
  generateServiceId,
  isWildcardAddress,
  resolveServiceAddress,
  sanitizeIdPart,
} from '../../src/registration/identity';
import { resolveRegistrationOptions } from '../../src/registration/registration-options';
import { gateForVersion, needsVersion, versionAtLeast } from '../../src/registration/version';

const env = { host: 'box-1', random: () => 'abcd1234', interfaces: {} };

function version(text: string): ConsulVersion {
  const [major, minor, patch] = text.split('.').map(Number) as [number, number, number];
  return { major, minor, patch, prerelease: '', text };
}

/** The ConsulOptionError `fn` throws (fails the test when it throws nothing). */
function configError(fn: () => unknown): ConsulOptionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConsulOptionError);
    return err as ConsulOptionError;
  }
  throw new Error('expected a ConsulOptionError');
}

describe('registration identity', () => {
  const table = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false },
      { address: '10.1.2.3', family: 'IPv4', internal: false },
    ],
    eth1: [{ address: '192.168.0.9', family: 'IPv4', internal: false }],
  } as unknown as NodeJS.Dict<NetworkInterfaceInfo[]>;

  it('detects the first non-internal IPv4 address', () => {
    expect(detectAddress(table)).toBe('10.1.2.3');
    expect(detectAddress({ lo: table.lo })).toBeUndefined();
  });

  it('keeps a concrete bound address and replaces wildcards', () => {
    expect(resolveServiceAddress('127.0.0.1', table)).toBe('127.0.0.1');
    expect(resolveServiceAddress('[::1]', table)).toBe('::1');
    expect(resolveServiceAddress('0.0.0.0', table)).toBe('10.1.2.3');
    expect(resolveServiceAddress('::', table)).toBe('10.1.2.3');
    expect(resolveServiceAddress(undefined, { lo: table.lo })).toBe('127.0.0.1');
    expect(isWildcardAddress('')).toBe(true);
    expect(isWildcardAddress('10.0.0.1')).toBe(false);
  });

  it('generates name-host-port-random IDs valid in agent URLs', () => {
    expect(generateServiceId('web', 3000, 'box-1', () => 'ff00ff00')).toBe(
      'web-box-1-3000-ff00ff00',
    );
    expect(generateServiceId('web', 80, 'my host/α.local', () => '01')).toBe(
      'web-my-host-.local-80-01',
    );
    expect(sanitizeIdPart('a//b  c')).toBe('a-b-c');
    const random = generateServiceId('api', 1);
    expect(random).toMatch(/^api-.+-1-[0-9a-f]{8}$/);
    expect(generateServiceId('api', 1)).not.toBe(random);
  });
});

describe('planRegistration', () => {
  it('applies the defaults: ID, address, a TTL heartbeat check with deregister-after 1m', () => {
    const plan = planRegistration({ name: 'web', port: 3000, address: '127.0.0.1' }, {}, env);
    expect(plan.id).toBe('web-box-1-3000-abcd1234');
    expect(plan.address).toBe('127.0.0.1');
    expect(plan.checks).toHaveLength(1);
    expect(plan.checks[0]).toMatchObject({ checkId: `${plan.id}:ttl`, kind: 'ttl', ttlMs: 10_000 });
    expect(plan.service.checks?.[0]).toMatchObject({
      checkId: `${plan.id}:ttl`,
      ttl: '10s',
      deregisterCriticalServiceAfter: '1m',
    });
    expect(plan.service.check).toBeUndefined();
  });

  it('resolves http paths and tcp/grpc shorthands against the service address', () => {
    const plan = planRegistration(
      {
        name: 'web',
        id: 'web-1',
        port: 8443,
        address: '10.0.0.5',
        meta: { scheme: 'https' },
        checks: [
          { http: '/health', interval: '5s' },
          { tcp: true, interval: '10s', deregisterCriticalServiceAfter: '5m' },
          { grpc: true, interval: 2000 },
          { http: 'http://127.0.0.1:9/x', interval: '1s', checkId: 'custom' },
          { ttl: '30s', status: 'warning' },
          { http: '/ready', interval: '5s' },
        ],
      },
      {},
      env,
    );
    expect(plan.checks.map((c) => c.checkId)).toEqual([
      'web-1:http',
      'web-1:tcp',
      'web-1:grpc',
      'custom',
      'web-1:ttl',
      'web-1:http:2',
    ]);
    const [http, tcp, grpc, , ttl] = plan.service.checks ?? [];
    expect(http).toMatchObject({ http: 'https://10.0.0.5:8443/health', interval: '5s' });
    expect(tcp).toMatchObject({ tcp: '10.0.0.5:8443', deregisterCriticalServiceAfter: '5m' });
    expect(grpc).toMatchObject({ grpc: '10.0.0.5:8443', interval: '2s' });
    expect(ttl).toMatchObject({
      ttl: '30s',
      status: 'warning',
      deregisterCriticalServiceAfter: '1m',
    });
    expect(plan.checks[4]?.initialStatus).toBe('warning');
  });

  it('brackets IPv6 addresses in check targets', () => {
    const plan = planRegistration(
      { name: 'v6', port: 80, address: '::1', check: { http: '/h', interval: '1s' } },
      {},
      env,
    );
    expect(plan.service.check?.http).toBe('http://[::1]:80/h');
    expect(plan.service.checks).toBeUndefined();
  });

  it('registers no check at all with checks: []', () => {
    const plan = planRegistration({ name: 'bare', port: 1, checks: [] }, {}, env);
    expect(plan.checks).toEqual([]);
    expect(plan.service.checks).toEqual([]);
  });

  it.each([
    [{ port: 1 }, 'service.name'],
    [{ name: '', port: 1 }, 'service.name'],
    [{ name: 'my service', port: 1 }, 'service.name'],
    [{ name: 'a/b', port: 1 }, 'service.name'],
    [{ name: '-web', port: 1 }, 'service.name'],
    [{ name: 'web' }, 'service.port'],
    [{ name: 'web', port: 0 }, 'service.port'],
    [{ name: 'web', port: 70000 }, 'service.port'],
    [{ name: 'web', port: 1.5 }, 'service.port'],
    [{ name: 'web', port: '80' }, 'service.port'],
    [{ name: 'web', port: 1, id: 'a/b' }, 'service.id'],
    [{ name: 'web', port: 1, address: 5 }, 'service.address'],
    [
      { name: 'web', port: 1, checks: [{ http: '/h', interval: '5 seconds' }] },
      'service.checks[0].interval',
    ],
    [
      { name: 'web', port: 1, checks: [{ http: '/h', interval: '100ms' }] },
      'service.checks[0].interval',
    ],
    [{ name: 'web', port: 1, checks: [{ http: '/h' }] }, 'service.checks[0].interval'],
    [{ name: 'web', port: 1, checks: [{ tcp: true }] }, 'service.checks[0].interval'],
    [
      { name: 'web', port: 1, checks: [{ ttl: '10s', interval: '5s' }] },
      'service.checks[0].interval',
    ],
    [{ name: 'web', port: 1, checks: [{ ttl: 'soon' }] }, 'service.checks[0].ttl'],
    [{ name: 'web', port: 1, checks: [{ interval: '5s' }] }, 'service.checks[0]'],
    [{ name: 'web', port: 1, checks: [{ ttl: '5s', tcp: true }] }, 'service.checks[0]'],
    [
      { name: 'web', port: 1, checks: [{ http: 'ftp://x', interval: '5s' }] },
      'service.checks[0].http',
    ],
    [{ name: 'web', port: 1, check: { ttl: '5s', status: 'ok' } }, 'service.check.status'],
    [
      { name: 'web', port: 1, check: { ttl: '5s', deregisterCriticalServiceAfter: '30s' } },
      'service.check.deregisterCriticalServiceAfter',
    ],
    [
      { name: 'web', port: 1, checks: [{ ttl: '5s', checkId: 'a/b' }] },
      'service.checks[0].checkId',
    ],
    [
      {
        name: 'web',
        port: 1,
        checks: [
          { ttl: '5s', checkId: 'x' },
          { ttl: '6s', checkId: 'x' },
        ],
      },
      'service.checks[1].checkId',
    ],
    [{ name: 'web', port: 1, checks: 'none' }, 'service.checks'],
    [{ name: 'web', port: 1, meta: { 'consul-x': 'y' } }, 'service.meta.consul-x'],
    [{ name: 'web', port: 1, meta: { 'a.b': 'y' } }, 'service.meta.a.b'],
    [{ name: 'web', port: 1, weights: { passing: 0 } }, 'service.weights.passing'],
    [{ name: 'web', port: 1, tags: ['ok', ''] }, 'service.tags[1]'],
    [{ name: 'web', port: 1, colour: 'red' }, 'service.colour'],
  ])('rejects %j naming %s', (definition, field) => {
    expect(configError(() => planRegistration(definition, {}, env)).option).toBe(field);
  });

  it('rejects bad defaults in the options', () => {
    const def = { name: 'web', port: 1 };
    expect(configError(() => planRegistration(def, { defaultTtl: '500ms' }, env)).option).toBe(
      'options.defaultTtl',
    );
    expect(
      configError(() => planRegistration(def, { deregisterCriticalServiceAfter: '10s' }, env))
        .option,
    ).toBe('options.deregisterCriticalServiceAfter');
  });

  it('names the field in the message too', () => {
    const err = configError(() =>
      planRegistration({ name: 'web', port: 1, checks: [{ http: '/h', interval: '5 seconds' }] }),
    );
    expect(err.message).toContain('service.checks[0].interval');
    expect(err.message).toContain('"5 seconds"');
  });
});

describe('registration options', () => {
  it('defaults and validates', () => {
    expect(resolveRegistrationOptions()).toEqual({
      health: undefined,
      heartbeatIntervalMs: undefined,
      reconcile: true,
      autoStart: true,
      deregisterOnClose: true,
    });
    expect(resolveRegistrationOptions({ heartbeatInterval: '2s' }).heartbeatIntervalMs).toBe(2000);
    expect(configError(() => resolveRegistrationOptions({ health: 'yes' })).option).toBe(
      'options.health',
    );
    expect(configError(() => resolveRegistrationOptions({ reconcile: 1 })).option).toBe(
      'options.reconcile',
    );
    expect(configError(() => resolveRegistrationOptions({ heartbeatInterval: '5 s' })).option).toBe(
      'options.heartbeatInterval',
    );
    expect(configError(() => resolveRegistrationOptions({ retry: true })).option).toBe(
      'options.retry',
    );
  });
});

describe('version gating', () => {
  const service = {
    name: 'web',
    checks: [{ http: 'https://127.0.0.1:1/', interval: '5s', tlsServerName: 'web.local' }],
  };

  it('compares versions', () => {
    expect(versionAtLeast(version('1.8.7'), [1, 10, 0])).toBe(false);
    expect(versionAtLeast(version('1.10.0'), [1, 10, 0])).toBe(true);
    expect(versionAtLeast(version('1.9.17'), [1, 10, 0])).toBe(false);
    expect(versionAtLeast(version('2.0.0'), [1, 10, 0])).toBe(true);
    expect(versionAtLeast(undefined, [1, 0, 0])).toBe(false);
  });

  it('drops TLSServerName for agents older than 1.10 and keeps it for newer ones', () => {
    expect(needsVersion(service)).toBe(true);
    expect(needsVersion({ name: 'web', checks: [{ ttl: '5s' }] })).toBe(false);
    const old = gateForVersion(service, version('1.8.7'));
    expect(old.dropped).toEqual(['service.checks[0].tlsServerName']);
    expect(old.service.checks?.[0]).not.toHaveProperty('tlsServerName');
    expect(service.checks[0]?.tlsServerName).toBe('web.local');
    const recent = gateForVersion(service, version('1.16.2'));
    expect(recent.dropped).toEqual([]);
    expect(recent.service.checks?.[0]?.tlsServerName).toBe('web.local');
  });
});

describe('evaluateHealth', () => {
  it('maps booleans, reports, throws, junk and hangs to a report', async () => {
    expect(await evaluateHealth(undefined, 100)).toEqual({ status: 'passing' });
    expect(await evaluateHealth(() => true, 100)).toEqual({ status: 'passing' });
    expect(await evaluateHealth(async () => false, 100)).toEqual({ status: 'critical' });
    expect(await evaluateHealth(() => ({ status: 'warning', output: 'slow db' }), 100)).toEqual({
      status: 'warning',
      output: 'slow db',
    });
    expect(
      await evaluateHealth(() => {
        throw new Error('db down');
      }, 100),
    ).toEqual({ status: 'critical', output: 'db down' });
    expect((await evaluateHealth(() => ({ status: 'ok' }) as never, 100)).status).toBe('critical');
    const hung = await evaluateHealth(() => new Promise<boolean>(() => undefined), 20);
    expect(hung.status).toBe('critical');
    expect(hung.output).toMatch(/did not answer within 20 ms/);
    const long = await evaluateHealth(
      () => ({ status: 'passing', output: 'x'.repeat(10_000) }),
      100,
    );
    expect(long.output?.length).toBe(4096);
  });
});
