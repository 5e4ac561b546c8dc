import {
  ConsulOptionError,
  ConsulNoInstanceError,
  ConsulTimeoutError,
  DIAGNOSTIC_CHANNELS,
  ServiceClient,
  consistentHash,
  createStaticSource,
  silentLogger,
  type HttpEjectMessage,
  type HttpReadmitMessage,
  type HttpRetryMessage,
  type ServiceClientOptions,
  type StaticInstanceSource,
} from '../src';
import {
  record,
  refusedPort,
  startBackend,
  stopAllBackends,
  waitFor,
  type Backend,
} from './http-backends';

const clients: ServiceClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await stopAllBackends();
});

async function setup(
  count: number,
  options: ServiceClientOptions = {},
): Promise<{ backends: Backend[]; source: StaticInstanceSource; client: ServiceClient }> {
  const backends = await Promise.all(
    Array.from({ length: count }, (_, i) => startBackend(`b${i}`)),
  );
  const source = createStaticSource(
    'users',
    backends.map((b) => ({ id: b.name, address: '127.0.0.1', port: b.port })),
  );
  const client = new ServiceClient(source, options, silentLogger);
  clients.push(client);
  return { backends, source, client };
}

/** Runs `total` calls with `concurrency` workers; returns statuses and rejections. */
async function run(
  total: number,
  concurrency: number,
  call: (i: number) => Promise<number>,
): Promise<{ statuses: number[]; errors: unknown[] }> {
  const statuses: number[] = [];
  const errors: unknown[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        try {
          statuses.push(await call(i));
        } catch (err) {
          errors.push(err);
        }
      }
    }),
  );
  return { statuses, errors };
}

async function getText(
  client: ServiceClient,
  path = '/x',
): Promise<{ status: number; text: string }> {
  const res = await client.get(path);
  return { status: res.statusCode, text: await res.body.text() };
}

describe('ServiceClient over real HTTP backends', () => {
  it('round-robins 3,000 requests over 3 backends: each gets 1/3 ± 5%', async () => {
    const { backends, client } = await setup(3);
    const { statuses, errors } = await run(3000, 16, async () => {
      const res = await client.get('/users/1');
      await res.body.dump();
      return res.statusCode;
    });
    expect(errors).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3000);
    for (const b of backends) expect(Math.abs(b.hits / 3000 - 1 / 3)).toBeLessThan(0.05);
  }, 60_000);

  it('loses no GET when a backend dies mid-run, ejects it, and re-admits it after it returns', async () => {
    const { backends, client } = await setup(3, {
      ejection: { baseEjectionTime: 300, maxEjectionTime: 2_000 },
    });
    const ejects = record<HttpEjectMessage>(DIAGNOSTIC_CHANNELS.httpEject);
    const readmits = record<HttpReadmitMessage>(DIAGNOSTIC_CHANNELS.httpReadmit);
    const victim = backends[1];
    let hitsAfterRestart = -1;
    try {
      const { statuses, errors } = await run(3000, 16, async (i) => {
        if (i === 1000) await victim.kill();
        if (i === 2000) {
          await victim.restart();
          hitsAfterRestart = victim.hits;
        }
        const res = await client.get(`/item/${i}`);
        await res.body.dump();
        return res.statusCode;
      });
      expect(errors).toEqual([]);
      expect(statuses).toHaveLength(3000);
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(ejects.messages.some((m) => m.instance.id === victim.name)).toBe(true);
      expect(ejects.messages.every((m) => m.service === 'users')).toBe(true);
      // Timed re-admission: once back, the instance gets traffic again.
      await waitFor(() => readmits.messages.some((m) => m.instance.id === victim.name));
      const before = victim.hits;
      await run(60, 4, async () => {
        const res = await client.get('/after');
        await res.body.dump();
        return res.statusCode;
      });
      expect(victim.hits).toBeGreaterThan(before);
      expect(victim.hits).toBeGreaterThan(hitsAfterRestart);
      expect(client.ejectedInstances()).toEqual([]);
    } finally {
      ejects.stop();
      readmits.stop();
    }
  }, 60_000);

  it('retries a 503 on a different instance and drains the failed body', async () => {
    const { backends, client } = await setup(3, { ejection: false });
    backends[0].behaviour.status = 503;
    const retries = record<HttpRetryMessage>(DIAGNOSTIC_CHANNELS.httpRetry);
    try {
      for (let i = 0; i < 30; i++) {
        const { status, text } = await getText(client);
        expect(status).toBe(200);
        expect(text).not.toBe('b0');
      }
      expect(backends[0].hits).toBeGreaterThan(0);
      expect(retries.messages.length).toBe(backends[0].hits);
      expect(retries.messages.every((m) => m.instance.id === 'b0' && m.reason === '503')).toBe(
        true,
      );
    } finally {
      retries.stop();
    }
  });

  it('never repeats an instance: with every backend failing, each is tried exactly once', async () => {
    const { backends, client } = await setup(3, { retries: 5, ejection: false });
    for (const b of backends) b.behaviour.status = 502;
    const { status } = await getText(client);
    expect(status).toBe(502);
    expect(backends.map((b) => b.hits)).toEqual([1, 1, 1]);
  });

  it('retries a refused connection on another instance', async () => {
    const port = await refusedPort();
    const live = await startBackend('live');
    const source = createStaticSource('users', [
      { id: 'dead', address: '127.0.0.1', port },
      { id: 'live', address: '127.0.0.1', port: live.port },
    ]);
    const client = new ServiceClient(source, {}, silentLogger);
    clients.push(client);
    for (let i = 0; i < 6; i++) expect((await getText(client)).text).toBe('live');
  });

  it('does not retry a POST that reached a failing instance', async () => {
    const { backends, client } = await setup(3, { ejection: false });
    for (const b of backends) b.behaviour.status = 503;
    const res = await client.post('/orders', { body: '{"n":1}' });
    await res.body.dump();
    expect(res.statusCode).toBe(503);
    expect(backends.reduce((n, b) => n + b.hits, 0)).toBe(1);
  });

  it('retries a POST when retryNonIdempotent is set', async () => {
    const { backends, client } = await setup(3, { ejection: false, retryNonIdempotent: true });
    backends[0].behaviour.status = 503;
    backends[1].behaviour.status = 503;
    const res = await client.post('/orders', { body: '{"n":1}' });
    // Round robin starts at b0 (503); the retry goes to another instance that answers.
    expect(await res.body.text()).toBe('b2');
    expect(backends[0].hits).toBe(1);
  });

  it('sends a POST elsewhere when the connection was refused (nothing was sent)', async () => {
    const port = await refusedPort();
    const live = await startBackend('live');
    const source = createStaticSource('users', [
      { id: 'dead', address: '127.0.0.1', port },
      { id: 'live', address: '127.0.0.1', port: live.port },
    ]);
    const client = new ServiceClient(source, { ejection: false }, silentLogger);
    clients.push(client);
    for (let i = 0; i < 4; i++) {
      const res = await client.post('/orders', { body: 'x' });
      expect(await res.body.text()).toBe('live');
    }
    expect(live.hits).toBe(4);
  });

  it('fails with a typed timeout when the call deadline passes', async () => {
    const { backends, client } = await setup(2, { timeout: 150 });
    for (const b of backends) b.behaviour.delayMs = 3_000;
    const err = await client.get('/slow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulTimeoutError);
    expect((err as ConsulTimeoutError).code).toBe('CONSUL_TIMEOUT');
    expect((err as Error).message).toContain('service "users"');
  });

  it('applies a per-call timeout override and the caller abort signal', async () => {
    const { backends, client } = await setup(1, { timeout: '30s' });
    backends[0].behaviour.delayMs = 3_000;
    await expect(client.get('/slow', { timeout: '100ms' })).rejects.toMatchObject({
      code: 'CONSUL_TIMEOUT',
    });
    const reason = new Error('caller gave up');
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 50);
    await expect(client.get('/slow', { signal: controller.signal })).rejects.toBe(reason);
  });

  it('throws ConsulNoInstanceError naming the service when nothing is eligible', async () => {
    const source = createStaticSource('billing', []);
    const client = new ServiceClient(source, {}, silentLogger);
    clients.push(client);
    const err = await client.get('/').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulNoInstanceError);
    expect(err).toMatchObject({ code: 'CONSUL_NO_INSTANCE', service: 'billing' });
    expect((err as Error).message).toContain('"billing"');

    source.set([{ address: '127.0.0.1', port: 1, status: 'critical' }]);
    await expect(client.get('/')).rejects.toMatchObject({ code: 'CONSUL_NO_INSTANCE' });
  });

  it('follows instance set changes: a removed instance gets no more calls', async () => {
    const { backends, source, client } = await setup(3);
    for (let i = 0; i < 9; i++) await getText(client);
    source.set(
      [backends[0], backends[2]].map((b) => ({ id: b.name, address: '127.0.0.1', port: b.port })),
    );
    const before = backends[1].hits;
    for (let i = 0; i < 20; i++) await getText(client);
    expect(backends[1].hits).toBe(before);
    expect(backends[0].hits + backends[2].hits).toBe(29 - before);
  });

  it('routes by hashKey with consistentHash', async () => {
    const { client } = await setup(3, { balancer: consistentHash() });
    const first = await client
      .request({ path: '/obj', hashKey: 'cat.jpg' })
      .then((r) => r.body.text());
    for (let i = 0; i < 10; i++) {
      const res = await client.request({ path: '/obj', hashKey: 'cat.jpg' });
      expect(await res.body.text()).toBe(first);
    }
  });

  it('rejects bad options with ConsulOptionError naming the option', () => {
    const source = createStaticSource('users', []);
    const cases: Array<[ServiceClientOptions, string]> = [
      [{ retries: -1 }, 'retries'],
      [{ timeout: '5 seconds' }, 'timeout'],
      [{ ejection: { consecutiveFailures: 0 } }, 'ejection.consecutiveFailures'],
      [{ ejection: { maxEjectedPercent: 120 } }, 'ejection.maxEjectedPercent'],
      [{ ejection: { baseEjectionTime: '1m', maxEjectionTime: '1s' } }, 'ejection.maxEjectionTime'],
      [{ connections: 0 }, 'connections'],
    ];
    for (const [options, option] of cases) {
      const err = (() => {
        try {
          new ServiceClient(source, options, silentLogger);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(ConsulOptionError);
      expect((err as ConsulOptionError).option).toBe(option);
    }
  });
});
