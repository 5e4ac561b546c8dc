import { freePorts } from '@consulkit/testing';
import { Consul, ConsulUnavailableError, type ConsulLogger, silentLogger } from '../src';

/** A logger recording the transport's failovers (refused address → next) and backoff retries. */
function recorder(): ConsulLogger & { failovers: string[]; retries: number[] } {
  const logger = {
    ...silentLogger,
    failovers: [] as string[],
    retries: [] as number[],
    warn: (message: string, fields?: Record<string, unknown>) => {
      const refused = /^Consul agent (\S+) refused the connection$/.exec(message);
      if (refused) logger.failovers.push(`${refused[1]} -> ${String(fields?.next)}`);
    },
    debug: (message: string, fields?: Record<string, unknown>) => {
      if (message === 'Retrying Consul call') logger.retries.push(fields?.attempt as number);
    },
  };
  return logger;
}

// Refused connections on loopback ports nobody listens on: no Consul is involved.
describe('transport retry loop: failover rounds between backoff pauses', () => {
  it.each([
    ['an idempotent read', (c: Consul) => c.status.leader()],
    [
      'a non-idempotent write (a refused connection never reached Consul)',
      (c: Consul) => c.session.create(),
    ],
  ])(
    'tries every address once per round, pauses, and gives up after the retries: %s',
    async (_what, call) => {
      const [first, second] = (await freePorts(2)).map((port) => `http://127.0.0.1:${port}`);
      const logger = recorder();
      const consul = new Consul({
        address: [first as string, second as string],
        retry: { retries: 2, minDelay: 1, maxDelay: 5 },
        logger,
      });
      try {
        await expect(call(consul)).rejects.toBeInstanceOf(ConsulUnavailableError);
        // Three rounds (the first try and two retries), each trying both addresses in turn, the
        // next round starting where the failover left off.
        const round = [`${first} -> ${second}`, `${second} -> ${first}`];
        expect(logger.failovers).toEqual([...round, ...round, ...round]);
        expect(logger.retries).toEqual([1, 2]);
      } finally {
        await consul.close();
      }
    },
  );

  it('with one address, repeats it after each pause without a failover', async () => {
    const [port] = await freePorts(1);
    const logger = recorder();
    const consul = new Consul({
      address: `http://127.0.0.1:${port}`,
      retry: { retries: 3, minDelay: 1, maxDelay: 5 },
      logger,
    });
    try {
      await expect(consul.kv.get('transport/retry')).rejects.toBeInstanceOf(ConsulUnavailableError);
      expect(logger.failovers).toEqual([]);
      expect(logger.retries).toEqual([1, 2, 3]);
    } finally {
      await consul.close();
    }
  });
});
