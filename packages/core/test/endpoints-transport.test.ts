import { freePorts } from '@consulkit/testing';
import {
  ConsulBadRequestError,
  ConsulNotFoundError,
  ConsulUnavailableError,
  type ConsulLogger,
  silentLogger,
} from '../src';
import { useAgent } from './support/agent';

// Polls of real agents (check intervals, gossip) can take seconds on a loaded machine.
jest.setTimeout(30_000);

/** A logger counting the transport's retries. */
function retryCounter(): ConsulLogger & { retries: number } {
  const logger = {
    ...silentLogger,
    retries: 0,
    debug: (message: string) => {
      if (message.startsWith('Retrying')) logger.retries++;
    },
  };
  return logger;
}

describe('transport behaviour on real answers', () => {
  const fx = useAgent();

  it('moves to the second address when the first refuses connections', async () => {
    const [closed] = await freePorts(1);
    const consul = fx.client({
      address: [`http://127.0.0.1:${closed}`, fx.agent.address],
      logger: silentLogger,
    });
    expect(await consul.kv.put('transport/failover', 'ok')).toBe(true);
    expect(consul.transport.activeAddress).toBe(fx.agent.address);
    // Session create is not idempotent, but a refused connection never reached Consul: safe.
    const fresh = fx.client({
      address: [`http://127.0.0.1:${closed}`, fx.agent.address],
      logger: silentLogger,
    });
    expect(await fresh.session.create()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports an unreachable agent as ConsulUnavailableError after bounded retries', async () => {
    const [closed] = await freePorts(1);
    const logger = retryCounter();
    const consul = fx.client({
      address: `http://127.0.0.1:${closed}`,
      retry: { retries: 2, minDelay: 1, maxDelay: 5 },
      logger,
    });
    const err = await consul.status.leader().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulUnavailableError);
    expect((err as ConsulUnavailableError).retryable).toBe(true);
    expect(logger.retries).toBe(2);
  });

  it('classifies 405 (wrong method) as a bad request and does not retry it', async () => {
    const logger = retryCounter();
    const consul = fx.client({ logger });
    const err = await consul.transport
      .send({ method: 'GET', path: '/v1/agent/check/pass/x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulBadRequestError);
    expect(err).toMatchObject({ status: 405, retryable: false });
    expect(logger.retries).toBe(0);
  });

  it('classifies a 400 (unknown JSON field) as a bad request with the body verbatim', async () => {
    const consul = fx.client();
    const err = await consul.transport
      .send({ method: 'PUT', path: '/v1/agent/service/register', json: { Name: 'x', Foo: 1 } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulBadRequestError);
    expect(err).toMatchObject({ status: 400, body: expect.stringMatching(/unknown field "Foo"/) });
  });

  it('classifies a semantic 500 (invalid session) as a bad request, not retried', async () => {
    const logger = retryCounter();
    const consul = fx.client({ logger });
    const dead = '00000000-0000-4000-8000-000000000000';
    const err = await consul.kv
      .put('transport/lock', 'x', { acquire: dead })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulBadRequestError);
    expect(err).toMatchObject({ status: 500, body: expect.stringMatching(/invalid session/i) });
    expect(logger.retries).toBe(0);
  });

  it('classifies a 404 where absence is an error (unknown prepared query)', async () => {
    await expect(fx.client().query.execute('no-such-query')).rejects.toBeInstanceOf(
      ConsulNotFoundError,
    );
  });

  it('classifies 413 (too many txn operations, bypassing the client check) as a bad request', async () => {
    const consul = fx.client();
    const ops = Array.from({ length: 65 }, (_, i) => ({ KV: { Verb: 'get', Key: `k${i}` } }));
    const err = await consul.transport
      .send({ method: 'PUT', path: '/v1/txn', json: ops })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulBadRequestError);
    expect(err).toMatchObject({ status: 413, body: expect.stringMatching(/65 > 64/) });
  });
});
