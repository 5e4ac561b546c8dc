import { type FastifyInstance } from 'fastify';
import fastifyConsul from '../src';
import { boundPort, closeApps, makeApp, uniqueName, useAgent, waitFor } from './support/helpers';

jest.setTimeout(40_000);

describe('two apps: a calls b through app.consul.service', () => {
  const fx = useAgent();
  afterEach(closeApps);

  /** Service b: answers with the port it listens on. */
  async function startB(name: string): Promise<FastifyInstance> {
    const { app } = makeApp();
    app.get('/whoami', async () => ({ port: boundPort(app) }));
    await app.register(fastifyConsul, {
      consul: { address: fx.agent.address },
      service: { name, check: { interval: '1s' } },
      drain: '500ms',
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return app;
  }

  /** Service a: `/call` asks b who it is, through discovery. */
  async function startA(bName: string): Promise<FastifyInstance> {
    const { app } = makeApp();
    app.get('/call', async (_req, reply) => {
      const res = await app.consul.service(bName).request({ path: '/whoami' });
      return reply.code(res.statusCode).send(await res.body.json());
    });
    await app.register(fastifyConsul, {
      consul: { address: fx.agent.address },
      service: { name: uniqueName('a'), check: { interval: '1s' } },
      drain: 0,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return app;
  }

  /** What a's `/call` answers (status and body). */
  async function callThroughA(a: FastifyInstance): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`http://127.0.0.1:${boundPort(a)}/call`);
    return { status: res.status, body: await res.json() };
  }

  it('works end to end and follows b to a new port without restarting a', async () => {
    const bName = uniqueName('b');
    const b1 = await startB(bName);
    const port1 = boundPort(b1);
    const a = await startA(bName);

    const first = await waitFor(
      () => callThroughA(a),
      (r) => r.status === 200,
    );
    expect(first.body).toEqual({ port: port1 });
    // The same client object is reused across calls.
    expect(a.consul.service(bName)).toBe(a.consul.service(bName));

    await b1.close();
    const b2 = await startB(bName);
    const port2 = boundPort(b2);
    expect(port2).not.toBe(port1);

    const followed = await waitFor(
      () => callThroughA(a),
      (r) => r.status === 200 && (r.body as { port: number }).port === port2,
    );
    expect(followed.body).toEqual({ port: port2 });
    // a was never restarted: same registration as at the start.
    expect(a.consul.registration?.status).toBe('registered');
  });

  it('rejects different options for a cached service client, naming the call', async () => {
    const { app } = makeApp();
    await app.register(fastifyConsul, {
      consul: { address: fx.agent.address },
      service: false,
    });
    await app.ready();
    const name = uniqueName('c');
    const client = app.consul.service(name, { retries: 1 });
    expect(app.consul.service(name)).toBe(client);
    expect(app.consul.service(name, { retries: 1 })).toBe(client);
    expect(() => app.consul.service(name, { retries: 2 })).toThrow(`service("${name}").options`);
    await app.close();
    expect(client.closed).toBe(true);
  });
});
