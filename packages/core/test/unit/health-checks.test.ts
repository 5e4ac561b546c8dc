import { ConsulOptionError } from '../../src';
import {
  HEALTH_HTTP_STATUS,
  HealthCheckRegistry,
  type HealthCheckResult,
  summaryOutput,
} from '../../src/adapter';

describe('HealthCheckRegistry', () => {
  it('passes with no checks', async () => {
    const checks = new HealthCheckRegistry(1_000);
    expect(await checks.run()).toEqual({ status: 'passing', checks: {} });
    expect(await checks.report()).toEqual({ status: 'passing', output: 'no application checks' });
  });

  it('maps every kind of result, and the worst status wins', async () => {
    const checks = new HealthCheckRegistry(1_000);
    checks.add('nothing', () => undefined);
    checks.add('true', () => true);
    checks.add('warn', async () => ({ status: 'warning', output: 'slow disk' }));
    expect((await checks.run()).status).toBe('warning');
    checks.add('false', () => false);
    checks.add('throws', () => {
      throw new Error('db down');
    });
    checks.add('rejects', () => Promise.reject(new Error('cache down')));
    checks.add('odd', () => ({ status: 'fine' }) as unknown as HealthCheckResult);
    const summary = await checks.run();
    expect(summary).toEqual({
      status: 'critical',
      checks: {
        nothing: { status: 'passing' },
        true: { status: 'passing' },
        warn: { status: 'warning', output: 'slow disk' },
        false: { status: 'critical' },
        throws: { status: 'critical', output: 'db down' },
        rejects: { status: 'critical', output: 'cache down' },
        odd: { status: 'critical', output: 'check returned an unrecognised result' },
      },
    });
    expect(checks.names()).toEqual([
      'nothing',
      'true',
      'warn',
      'false',
      'throws',
      'rejects',
      'odd',
    ]);
  });

  it('counts a check that does not settle in time as critical', async () => {
    const checks = new HealthCheckRegistry(20);
    checks.add('hangs', () => new Promise<void>(() => undefined));
    checks.add('quick', () => true);
    expect(await checks.run()).toEqual({
      status: 'critical',
      checks: {
        hangs: { status: 'critical', output: 'timed out after 20 ms' },
        quick: { status: 'passing' },
      },
    });
  });

  it('refuses bad names, non-functions and duplicates, and removes a check', async () => {
    const checks = new HealthCheckRegistry(1_000);
    const remove = checks.add('db', () => false);
    expect(() => checks.add('db', () => true)).toThrow(/"addCheck\.db"/);
    expect(() => checks.add('', () => true)).toThrow(ConsulOptionError);
    expect(() => checks.add('x', 'yes' as never)).toThrow(/"addCheck\.x".*a function/);
    remove();
    expect((await checks.run()).status).toBe('passing');
    // The name is free again; the old remover does not remove the new check.
    checks.add('db', () => false);
    remove();
    expect((await checks.run()).status).toBe('critical');
  });

  it('reports one line per check for a TTL check', async () => {
    const checks = new HealthCheckRegistry(1_000);
    checks.add('db', () => ({ status: 'critical', output: 'timeout' }));
    checks.add('cache', () => true);
    expect(await checks.report()).toEqual({
      status: 'critical',
      output: 'db: critical (timeout)\ncache: passing',
    });
    expect(summaryOutput({ status: 'passing', checks: {} })).toBe('no application checks');
  });

  it("answers with Consul's HTTP check convention", () => {
    expect(HEALTH_HTTP_STATUS).toEqual({ passing: 200, warning: 429, critical: 503 });
  });
});
