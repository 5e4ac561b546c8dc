import { ConsulConfigError, ConsulTimeoutError } from '@consulkit/core';
import { type FastifyBaseLogger } from 'fastify';
import { pinoConsulLogger } from '../src/logger';
import { OwnedResources } from '../src/resources';
import { registrationDefinition } from '../src/service-definition';
import { closeOnSignals } from '../src/signals';

describe('pinoConsulLogger', () => {
  it("maps core's (message, context) onto pino's (object, message) and drops credentials", () => {
    const calls: unknown[][] = [];
    const record =
      (level: string) =>
      (...args: unknown[]) =>
        calls.push([level, ...args]);
    const log = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    } as unknown as FastifyBaseLogger;
    const logger = pinoConsulLogger(log);
    logger.warn('Registration failed', { serviceId: 'web-1', token: 's3cret', aclToken: 'x' });
    logger.info('plain');
    logger.error('boom', { Authorization: 'Bearer y', attempt: 2 });
    expect(calls).toEqual([
      ['warn', { serviceId: 'web-1' }, 'Registration failed'],
      ['info', 'plain'],
      ['error', { attempt: 2 }, 'boom'],
    ]);
  });
});

describe('registrationDefinition', () => {
  const ctx = {
    healthRoute: '/health' as const,
    ttl: undefined,
    boundAddress: '127.0.0.1',
    boundPort: 3000,
  };

  it('adds the health-route check after the user checks, with the bound address and port', () => {
    const def = registrationDefinition(
      { name: 'web', tags: ['v1'], checks: [{ tcp: true, interval: '5s' }] },
      { ...ctx, initialStatus: 'passing' },
    );
    expect(def).toEqual({
      name: 'web',
      address: '127.0.0.1',
      port: 3000,
      tags: ['v1'],
      checks: [
        { tcp: true, interval: '5s' },
        {
          name: 'web health route',
          http: '/health',
          interval: '10s',
          timeout: '5s',
          status: 'passing',
        },
      ],
    });
  });

  it('adds a TTL check for the application checks, and no checks at all when none apply', () => {
    const ttl = registrationDefinition(
      { name: 'web', check: false },
      { ...ctx, ttl: '10s', initialStatus: 'critical' },
    );
    expect(ttl.checks).toEqual([
      expect.objectContaining({ name: 'web application checks', ttl: '10s', status: 'critical' }),
    ]);
    const none = registrationDefinition({ name: 'web' }, { ...ctx, healthRoute: false });
    expect(none.checks).toBeUndefined();
  });

  it('prefers service.address and service.port, and needs a port', () => {
    const def = registrationDefinition(
      { name: 'web', address: 'web.internal', port: 443, check: { http: '/ready' } },
      ctx,
    );
    expect(def).toMatchObject({ address: 'web.internal', port: 443 });
    expect(def.checks?.[0]).toMatchObject({ http: '/ready' });
    expect(() => registrationDefinition({ name: 'web' }, { ...ctx, boundPort: undefined })).toThrow(
      ConsulConfigError,
    );
  });
});

describe('OwnedResources', () => {
  it('closes in reverse order, bounds each closer, and reports failures without throwing', async () => {
    const resources = new OwnedResources();
    const order: string[] = [];
    resources.add(() => void order.push('first'));
    resources.add(() => new Promise(() => undefined)); // never settles (agent gone)
    resources.add(async () => {
      order.push('failing');
      throw new Error('release failed');
    });
    const forget = resources.add(() => void order.push('forgotten'));
    forget();
    const errors: unknown[] = [];
    await resources.closeAll(50, (err) => errors.push(err));
    expect(order).toEqual(['failing', 'first']);
    expect(errors).toHaveLength(2);
    expect(errors.some((e) => e instanceof ConsulTimeoutError)).toBe(true);
    expect(errors.some((e) => (e as Error).message === 'release failed')).toBe(true);
    expect(resources.signal.aborted).toBe(true);
  });
});

describe('closeOnSignals', () => {
  it('adds and removes its process listeners', () => {
    const before = process.listenerCount('SIGUSR2');
    const remove = closeOnSignals({ close: async () => undefined }, ['SIGUSR2']);
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    remove();
    expect(process.listenerCount('SIGUSR2')).toBe(before);
  });
});
