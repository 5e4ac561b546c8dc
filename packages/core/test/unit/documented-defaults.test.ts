import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  consistentHash,
  ConsulOptionError,
  type ConsulLogger,
  type ConsulOptions,
  silentLogger,
} from '../../src';
import { resolveConsulOptions } from '../../src/client-options';
import { resolveServiceClientOptions } from '../../src/http/service-client-options';
import { resolveConfigStoreOptions } from '../../src/config-store/store-options';
import { resolveLockOptions } from '../../src/coordination/lock';
import { resolveSemaphoreOptions } from '../../src/coordination/semaphore';
import { DISCOVERY_BACKOFF, resolveDiscoveryOptions } from '../../src/discovery/discovery';
import { planRegistration } from '../../src/registration/check-plan';
import { resolveWatchOptions } from '../../src/watch/watch-options';
import { inst } from './balancer-support';

/**
 * The defaults and limits the package READMEs state in their option tables, one by one: a README
 * number that drifts from the code fails here.
 */

const resolve = (options: ConsulOptions = {}, env: Record<string, string> = {}) =>
  resolveConsulOptions({ logger: silentLogger, ...options, env });

/** The option a `ConsulOptionError` names, or a description of what happened instead. */
function optionOf(fn: () => unknown): string {
  let outcome = 'no error';
  try {
    fn();
  } catch (err) {
    outcome = err instanceof ConsulOptionError ? err.option : `not a ConsulOptionError: ${err}`;
  }
  return outcome;
}

describe('client options (core README, "Client options")', () => {
  it('defaults: 10 s timeout, 128 connections per address, 64 long polls, certificate verification on', () => {
    const config = resolve();
    expect(config.timeoutMs).toBe(10_000);
    expect(config.connections).toBe(128);
    expect(config.maxLongPolls).toBe(64);
    expect(config.tls.rejectUnauthorized).toBe(true);
    expect(config.retry).toEqual({ retries: 3, minDelayMs: 100, maxDelayMs: 2_000 });
  });

  it.each([
    ['CONSUL_HTTP_SSL', '1', true],
    ['CONSUL_HTTP_SSL', 't', true],
    ['CONSUL_HTTP_SSL', 'T', true],
    ['CONSUL_HTTP_SSL', 'TRUE', true],
    ['CONSUL_HTTP_SSL', 'true', true],
    ['CONSUL_HTTP_SSL', 'True', true],
    ['CONSUL_HTTP_SSL', '0', false],
    ['CONSUL_HTTP_SSL', 'f', false],
    ['CONSUL_HTTP_SSL', 'FALSE', false],
    ['CONSUL_HTTP_SSL_VERIFY', 'true', true],
    ['CONSUL_HTTP_SSL_VERIFY', 'F', false],
    ['CONSUL_HTTP_SSL_VERIFY', 'False', false],
  ])("parses %s=%s like Go's strconv.ParseBool", (name, value, expected) => {
    const config = resolve({}, { CONSUL_HTTP_ADDR: 'h:8501', [name]: value });
    const parsed =
      name === 'CONSUL_HTTP_SSL' ? config.endpoints[0]?.secure : config.tls.rejectUnauthorized;
    expect(parsed).toBe(expected);
  });

  it.each([
    ['CONSUL_HTTP_SSL', 'yes'],
    ['CONSUL_HTTP_SSL', 'on'],
    ['CONSUL_HTTP_SSL_VERIFY', 'no'],
    ['CONSUL_HTTP_SSL_VERIFY', 'tRuE'],
  ])('refuses %s=%s with a ConsulOptionError naming the variable', (name, value) => {
    expect(optionOf(() => resolve({}, { [name]: value }))).toBe(name);
  });

  it('tls: true or a tls object switches every address to HTTPS, http:// ones included', () => {
    for (const tls of [true, { rejectUnauthorized: true }] as const) {
      const config = resolve({ tls, address: ['http://a:8500', 'b:8501'] });
      expect(config.endpoints.map((e) => [e.origin, e.secure])).toEqual([
        ['https://a:8500', true],
        ['https://b:8501', true],
      ]);
    }
  });

  it('reads every .pem and .crt of CONSUL_CAPATH when CONSUL_CACERT is unset, and prefers CONSUL_CACERT', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'consulkit-capath-'));
    const pem = (name: string) =>
      `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`;
    writeFileSync(path.join(dir, 'a.pem'), pem('A'));
    writeFileSync(path.join(dir, 'b.crt'), pem('B'));
    writeFileSync(path.join(dir, 'notes.txt'), 'not a certificate');
    const fromPath = resolve({}, { CONSUL_CAPATH: dir }).tls.ca?.map(String) ?? [];
    expect([...fromPath].sort()).toEqual([pem('A'), pem('B')]);
    const single = path.join(dir, 'a.pem');
    expect(resolve({}, { CONSUL_CACERT: single, CONSUL_CAPATH: dir }).tls.ca?.map(String)).toEqual([
      pem('A'),
    ]);
  });

  it('warns when certificate verification is turned off for an HTTPS agent', () => {
    const warnings: string[] = [];
    const logger: ConsulLogger = { ...silentLogger, warn: (message) => warnings.push(message) };
    resolveConsulOptions({
      address: 'https://h:8501',
      tls: { rejectUnauthorized: false },
      logger,
      env: {},
    });
    expect(warnings).toEqual([expect.stringContaining('rejectUnauthorized: false')]);
  });
});

describe('watch options (core README, "Watches")', () => {
  it('defaults: 60 s wait, 1 s pacing after a burst of 2, 1–30 s backoff after failures', () => {
    const options = resolveWatchOptions({});
    expect(options).toMatchObject({
      waitMs: 60_000,
      minIntervalMs: 1_000,
      burst: 2,
      backoffMinMs: 1_000,
      backoffMaxMs: 30_000,
      stale: false,
      consistent: false,
      cached: false,
    });
  });

  it('takes a wait of at most 10 minutes', () => {
    expect(resolveWatchOptions({ wait: '10m' }).waitMs).toBe(600_000);
    expect(optionOf(() => resolveWatchOptions({ wait: '10m1s' }))).toBe('wait');
  });

  it('discovery watches back off from 250 ms to 5 s, and list passing instances only by default', () => {
    expect(DISCOVERY_BACKOFF).toEqual({ min: 250, max: 5_000 });
    expect(resolveWatchOptions({ backoff: DISCOVERY_BACKOFF })).toMatchObject({
      backoffMinMs: 250,
      backoffMaxMs: 5_000,
    });
    expect(resolveDiscoveryOptions({}).passing).toBe(true);
  });
});

describe('HTTP client options (core README, "Discovery-backed HTTP client")', () => {
  it('defaults: round robin, 2 retries on 502/503/504, 10 s deadline, ejection after 3 failures for 10 s to 2 m, at most 50 %', () => {
    const options = resolveServiceClientOptions();
    expect(options.balancer.name).toBe('round-robin');
    expect(options.retries).toBe(2);
    expect([...options.retryStatuses]).toEqual([502, 503, 504]);
    expect(options.timeoutMs).toBe(10_000);
    expect(options.retryNonIdempotent).toBe(false);
    expect(options.ejection).toEqual({
      consecutiveFailures: 3,
      baseMs: 10_000,
      maxMs: 120_000,
      maxPercent: 50,
    });
  });

  it('takes timeout 0 (no deadline) and ejection: false (off)', () => {
    expect(resolveServiceClientOptions({ timeout: 0 }).timeoutMs).toBe(0);
    expect(resolveServiceClientOptions({ ejection: false }).ejection).toBeUndefined();
  });
});

describe('config store options (core README, "KV config store")', () => {
  it('debounces 100 ms, for at most 1 s', () => {
    expect(resolveConfigStoreOptions({ prefix: 'p/' })).toMatchObject({
      debounceMs: 100,
      maxDelayMs: 1_000,
    });
  });
});

describe('balancers (core README, "Balancers")', () => {
  it('consistentHash sends calls without a key to its fallback, round robin by default', () => {
    const three = [inst('a'), inst('b'), inst('c')];
    const balancer = consistentHash();
    const picks = Array.from({ length: 6 }, () => balancer.pick(three, {})?.id);
    expect(picks).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    // With a key, the same key keeps its instance.
    const keyed = new Set(Array.from({ length: 6 }, () => balancer.pick(three, { key: 'k' })?.id));
    expect(keyed.size).toBe(1);
  });
});

describe('registration limits (core README, "Registration")', () => {
  const env = { host: 'box-1', random: () => 'abcd1234', interfaces: {} };
  const withMeta = (pairs: number) =>
    Object.fromEntries(Array.from({ length: pairs }, (_, i) => [`k${i}`, 'v']));

  it('takes at most 64 meta pairs', () => {
    expect(
      optionOf(() => planRegistration({ name: 'web', port: 1, meta: withMeta(64) }, {}, env)),
    ).toBe('no error');
    expect(
      optionOf(() => planRegistration({ name: 'web', port: 1, meta: withMeta(65) }, {}, env)),
    ).toBe('service.meta');
  });

  it('takes check intervals of at least 1 s and DeregisterCriticalServiceAfter of at least 1 m', () => {
    const check = (fields: Record<string, string>) => () =>
      planRegistration(
        { name: 'web', port: 1, checks: [{ tcp: true, interval: '10s', ...fields }] },
        {},
        env,
      );
    expect(optionOf(check({ interval: '1s' }))).toBe('no error');
    expect(optionOf(check({ interval: '999ms' }))).toBe('service.checks[0].interval');
    expect(optionOf(check({ deregisterCriticalServiceAfter: '1m' }))).toBe('no error');
    expect(optionOf(check({ deregisterCriticalServiceAfter: '59s' }))).toBe(
      'service.checks[0].deregisterCriticalServiceAfter',
    );
  });

  it("puts DeregisterCriticalServiceAfter '1m' on every check that does not set its own", () => {
    const plan = planRegistration(
      {
        name: 'web',
        port: 1,
        checks: [
          { tcp: true, interval: '10s' },
          { ttl: '10s' },
          { http: '/h', interval: '5s', deregisterCriticalServiceAfter: '5m' },
        ],
      },
      {},
      env,
    );
    expect(plan.service.checks?.map((c) => c.deregisterCriticalServiceAfter)).toEqual([
      '1m',
      '1m',
      '5m',
    ]);
  });
});

describe('lock and semaphore options (core README, "Locks", "Semaphores")', () => {
  it("lock defaults: 15 s TTL, Consul's lock-delay, Go's session name, 15 s waits, no liveness check", () => {
    expect(resolveLockOptions('jobs/a')).toMatchObject({
      key: 'jobs/a',
      ttlMs: 15_000,
      lockDelayMs: undefined,
      sessionName: 'Consul API Lock',
      lockWaitMs: 15_000,
      monitorRetries: Infinity,
      nodeChecks: undefined,
      serviceChecks: undefined,
      livenessCheck: false,
    });
    expect(resolveLockOptions('deploy', { goCompatible: true }).key).toBe('deploy/.lock');
  });

  it('semaphore defaults: 15 s TTL, Go session name, no liveness check', () => {
    expect(resolveSemaphoreOptions('jobs/encoders', 2)).toMatchObject({
      lockKey: 'jobs/encoders/.lock',
      limit: 2,
      ttlMs: 15_000,
      sessionName: 'Consul API Semaphore',
      livenessCheck: false,
    });
  });
});
