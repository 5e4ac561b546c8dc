import { Consul, ConsulOptionError, silentLogger } from '../../src';
import { isRoutePath, resolveServiceOptions, prefixConfigError } from '../../src/adapter';

/** The option named by the ConsulOptionError that normalising `input` throws. */
function failingOption(input: unknown, extraKeys?: string[]): string {
  try {
    resolveServiceOptions(input, { extraKeys });
  } catch (err) {
    expect(err).toBeInstanceOf(ConsulOptionError);
    expect((err as Error).message).toContain(`"${(err as ConsulOptionError).option}"`);
    return (err as ConsulOptionError).option;
  }
  throw new Error('expected a ConsulOptionError');
}

describe('resolveServiceOptions', () => {
  it('applies the defaults', () => {
    expect(resolveServiceOptions({ service: { name: 'web' } })).toEqual({
      client: { owned: true, options: {} },
      service: { name: 'web' },
      healthRoute: '/health',
      ttl: undefined,
      checkTimeoutMs: 5_000,
      drainMs: 2_000,
      deregisterTimeoutMs: 5_000,
      failFast: false,
    });
  });

  it('reads every option, and never mutates the caller object', () => {
    const input = {
      consul: { address: 'http://127.0.0.1:8500' },
      service: {
        name: 'web',
        check: { http: '/ready', interval: '5s' },
        deregisterCriticalServiceAfter: '2m',
      },
      healthRoute: false as const,
      ttl: '10s',
      checkTimeout: 250,
      drain: 0,
      deregisterTimeout: '1s',
      failFast: true,
    };
    const copy = structuredClone(input);
    const resolved = resolveServiceOptions(input);
    expect(resolved).toMatchObject({
      client: { owned: true, options: { address: 'http://127.0.0.1:8500' } },
      healthRoute: false,
      ttl: '10s',
      checkTimeoutMs: 250,
      drainMs: 0,
      deregisterTimeoutMs: 1_000,
      failFast: true,
    });
    expect(resolved.service).toEqual(input.service);
    expect(resolved.service).not.toBe(input.service);
    expect(input).toEqual(copy);
  });

  it('adopts a client, never with "consul" as well', () => {
    const client = new Consul({ logger: silentLogger });
    expect(resolveServiceOptions({ client, service: false }).client).toEqual({
      owned: false,
      client,
    });
    expect(failingOption({ client, consul: {}, service: false })).toBe('client');
    expect(failingOption({ client: { kv: {} }, service: false })).toBe('client');
  });

  it.each([
    [undefined, 'options'],
    [{}, 'service'],
    [{ service: 'web' }, 'service'],
    [{ service: {} }, 'service.name'],
    [{ service: { name: ' ' } }, 'service.name'],
    [{ service: { name: 'bad name' } }, 'service.name'],
    // Core checks the fields given before the name, so the real problem is reported.
    [{ service: { port: -1 } }, 'service.port'],
    [{ service: { name: 'web', port: 70_000 } }, 'service.port'],
    [{ service: { nam: 'web' } }, 'service.nam'],
    [{ service: { name: 'web', tags: ['a', 3] } }, 'service.tags[1]'],
    [{ service: { name: 'web', check: { interval: '100ms' } } }, 'service.check.interval'],
    [{ service: { name: 'web', check: { intervall: '1s' } } }, 'service.check.intervall'],
    [{ service: { name: 'web', check: { http: '' } } }, 'service.check.http'],
    [{ service: { name: 'web', check: { timeout: 0 } } }, 'service.check.timeout'],
    [{ service: { name: 'web', check: { http: true } }, healthRoute: false }, 'service.check.http'],
    [
      { service: { name: 'web', checks: [{ tcp: true, interval: 'often' }] } },
      'service.checks[0].interval',
    ],
    [
      { service: { name: 'web', deregisterCriticalServiceAfter: '10s' } },
      'service.deregisterCriticalServiceAfter',
    ],
    [{ service: false, healthRoute: 'health' }, 'healthRoute'],
    [{ service: false, healthRoute: 42 }, 'healthRoute'],
    [{ service: false, ttl: '500ms' }, 'ttl'],
    [{ service: false, checkTimeout: 0 }, 'checkTimeout'],
    [{ service: false, drain: 'soon' }, 'drain'],
    [{ service: false, deregisterTimeout: 'x' }, 'deregisterTimeout'],
    [{ service: false, failFast: 'yes' }, 'failFast'],
    [{ service: false, consul: 'http://127.0.0.1:8500' }, 'consul'],
    [{ service: false, colour: 'blue' }, 'colour'],
  ])('rejects %j naming %s', (input, option) => {
    expect(failingOption(input)).toBe(option);
  });

  it("accepts the adapter's own keys, and lists them for a typo", () => {
    expect(
      resolveServiceOptions(
        { service: false, closeOnSignals: true },
        { extraKeys: ['closeOnSignals'] },
      ).service,
    ).toBe(false);
    expect(() =>
      resolveServiceOptions(
        { service: false, closeOnSignal: true },
        { extraKeys: ['closeOnSignals'] },
      ),
    ).toThrow(/"closeOnSignal".*closeOnSignals/);
  });
});

describe('isRoutePath and prefixConfigError', () => {
  it('tells route paths', () => {
    expect(isRoutePath('/health')).toBe(true);
    expect(isRoutePath('health')).toBe(false);
    expect(isRoutePath('/he alth')).toBe(false);
    expect(isRoutePath(false)).toBe(false);
  });

  it('names the option as the user wrote it, and leaves other errors alone', () => {
    const err = prefixConfigError(new ConsulOptionError('address', 'a URL', 'ftp://x'), 'consul');
    expect(err).toBeInstanceOf(ConsulOptionError);
    expect((err as ConsulOptionError).option).toBe('consul.address');
    expect((err as Error).message).toBe(
      'Invalid option "consul.address": expected a URL, received "ftp://x"',
    );
    const other = new Error('boom');
    expect(prefixConfigError(other, 'consul')).toBe(other);
  });
});
