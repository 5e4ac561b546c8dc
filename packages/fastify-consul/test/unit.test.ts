import { type FastifyBaseLogger } from 'fastify';
import { pinoConsulLogger } from '../src/logger';
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

describe('closeOnSignals', () => {
  it('adds and removes its process listeners', () => {
    const before = process.listenerCount('SIGUSR2');
    const remove = closeOnSignals({ close: async () => undefined }, ['SIGUSR2']);
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    remove();
    expect(process.listenerCount('SIGUSR2')).toBe(before);
  });
});
