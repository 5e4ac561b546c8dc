import { Agent, fetch, interceptors, request } from 'undici';
import {
  ConsulOptionError,
  ConsulNoInstanceError,
  DIAGNOSTIC_CHANNELS,
  createDiscoveryInterceptor,
  createStaticSource,
  defaultServiceMatch,
  silentLogger,
  type DiscoveryInterceptor,
  type DiscoveryInterceptorOptions,
  type HttpEjectMessage,
  type InstanceSource,
  type StaticInstanceSource,
} from '../src';
import { record, refusedPort, startBackend, stopAllBackends, type Backend } from './http-backends';

const agents: Agent[] = [];
const interceptorsToClose: DiscoveryInterceptor[] = [];
afterEach(async () => {
  interceptorsToClose.splice(0).forEach((i) => i.close());
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await stopAllBackends();
});

function sourceOf(
  name: string,
  backends: Array<Pick<Backend, 'name' | 'port'>>,
): StaticInstanceSource {
  return createStaticSource(
    name,
    backends.map((b) => ({ id: b.name, address: '127.0.0.1', port: b.port })),
  );
}

function compose(
  sources: Record<string, InstanceSource>,
  options: DiscoveryInterceptorOptions = {},
  ...outer: Parameters<Agent['compose']>
) {
  const resolved: string[] = [];
  const discovery = createDiscoveryInterceptor(
    (name) => {
      resolved.push(name);
      return sources[name];
    },
    { logger: silentLogger, ...options },
  );
  interceptorsToClose.push(discovery);
  const agent = new Agent({ keepAliveTimeout: 1_000 });
  agents.push(agent);
  return { dispatcher: agent.compose(discovery, ...outer), resolved, discovery };
}

async function text(url: string, dispatcher: ReturnType<typeof compose>['dispatcher']) {
  const res = await request(url, { dispatcher });
  return { status: res.statusCode, body: await res.body.text() };
}

describe('createDiscoveryInterceptor', () => {
  it('routes http://<service>/ to instances round-robin and keeps the logical Host header', async () => {
    const backends = await Promise.all(['a', 'b', 'c'].map((n) => startBackend(n)));
    const { dispatcher, resolved } = compose({
      'user-service': sourceOf('user-service', backends),
    });
    const bodies: string[] = [];
    for (let i = 0; i < 30; i++) {
      const { status, body } = await text('http://user-service/users/1', dispatcher);
      expect(status).toBe(200);
      bodies.push(body);
    }
    expect(backends.map((b) => b.hits)).toEqual([10, 10, 10]);
    expect(new Set(backends.flatMap((b) => b.seen))).toEqual(
      new Set(['GET /users/1 user-service']),
    );
    expect(resolved).toEqual(['user-service']);
  });

  it('works with fetch and with Consul DNS names (<service>.service.consul)', async () => {
    const backend = await startBackend('only');
    const { dispatcher } = compose({ orders: sourceOf('orders', [backend]) });
    const res = await fetch('http://orders.service.consul/o/7?x=1', { dispatcher });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('only');
    expect(backend.seen).toEqual(['GET /o/7?x=1 orders.service.consul']);
  });

  it('lets non-service hosts pass through untouched', async () => {
    const backend = await startBackend('direct');
    const { dispatcher, resolved } = compose({});
    // IP literal: never a service, resolve is not even asked.
    expect((await text(`http://127.0.0.1:${backend.port}/p`, dispatcher)).body).toBe('direct');
    expect(resolved).toEqual([]);
    expect(backend.seen).toEqual([`GET /p 127.0.0.1:${backend.port}`]);
  });

  it('passes through hosts that resolve does not know', async () => {
    const backend = await startBackend('direct');
    const { dispatcher, resolved } = compose({}, { match: () => 'not-a-service' });
    expect((await text(`http://127.0.0.1:${backend.port}/`, dispatcher)).body).toBe('direct');
    expect(resolved).toEqual(['not-a-service']);
  });

  it('sends the instance address as Host when preserveHost is false', async () => {
    const backend = await startBackend('b');
    const { dispatcher } = compose({ svc: sourceOf('svc', [backend]) }, { preserveHost: false });
    await text('http://svc/h', dispatcher);
    expect(backend.seen).toEqual([`GET /h 127.0.0.1:${backend.port}`]);
  });

  it('keeps a Host header the caller set', async () => {
    const backend = await startBackend('b');
    const { dispatcher } = compose({ svc: sourceOf('svc', [backend]) });
    const res = await request('http://svc/h', { dispatcher, headers: { Host: 'custom.example' } });
    await res.body.dump();
    expect(backend.seen).toEqual(['GET /h custom.example']);
  });

  it('re-dispatches once to another instance when connecting fails, and ejects the dead one', async () => {
    const live = await startBackend('live');
    const dead = { name: 'dead', port: await refusedPort() };
    const ejects = record<HttpEjectMessage>(DIAGNOSTIC_CHANNELS.httpEject);
    try {
      const { dispatcher } = compose({ svc: sourceOf('svc', [dead, live]) });
      for (let i = 0; i < 12; i++) {
        const { status, body } = await text('http://svc/x', dispatcher);
        expect(status).toBe(200);
        expect(body).toBe('live');
      }
      expect(live.hits).toBe(12);
      expect(ejects.messages.map((m) => m.instance.id)).toEqual(['dead']);
    } finally {
      ejects.stop();
    }
  });

  it('fails with ConsulNoInstanceError naming the service when it has no instance', async () => {
    const { dispatcher } = compose({ empty: createStaticSource('empty', []) });
    const err = await request('http://empty/', { dispatcher }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulNoInstanceError);
    expect(err).toMatchObject({ code: 'CONSUL_NO_INSTANCE', service: 'empty' });
  });

  it('waits for a cold source to load before routing', async () => {
    const backend = await startBackend('late');
    let loaded = false;
    const source = sourceOf('late', []);
    const cold: InstanceSource = {
      name: 'late',
      instances: () => (loaded ? source.instances() : []),
      ready: () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            loaded = true;
            source.set([{ id: 'late', address: '127.0.0.1', port: backend.port }]);
            resolve();
          }, 50),
        ),
      on: (event, fn) => source.on(event, fn),
      off: (event, fn) => source.off(event, fn),
    };
    const { dispatcher } = compose({ late: cold });
    const [first, second] = await Promise.all([
      text('http://late/1', dispatcher),
      text('http://late/2', dispatcher),
    ]);
    expect([first.body, second.body]).toEqual(['late', 'late']);
  });

  it('composed inside undici retry, every retry picks an instance again', async () => {
    const backends = await Promise.all(['a', 'b'].map((n) => startBackend(n)));
    backends[0].behaviour.status = 503;
    const { dispatcher } = compose(
      { svc: sourceOf('svc', backends) },
      { ejection: false },
      interceptors.retry({ maxRetries: 2, minTimeout: 1, statusCodes: [503], throwOnError: false }),
    );
    for (let i = 0; i < 6; i++) {
      const { status, body } = await text('http://svc/r', dispatcher);
      expect(status).toBe(200);
      expect(body).toBe('b');
    }
    expect(backends[0].hits).toBeGreaterThan(0);
  });

  it('fails requests to services after close()', async () => {
    const backend = await startBackend('b');
    const { dispatcher, discovery } = compose({ svc: sourceOf('svc', [backend]) });
    await text('http://svc/', dispatcher);
    discovery.close();
    await expect(request('http://svc/', { dispatcher })).rejects.toMatchObject({
      code: 'CONSUL_CLOSED',
    });
  });

  it('validates options before use', () => {
    expect(() =>
      createDiscoveryInterceptor(() => undefined, { readyTimeout: '5 seconds' }),
    ).toThrow(ConsulOptionError);
    expect(() =>
      createDiscoveryInterceptor(() => undefined, { ejection: { maxEjectedPercent: -1 } }),
    ).toThrow(expect.objectContaining({ option: 'ejection.maxEjectedPercent' }));
  });
});

describe('defaultServiceMatch', () => {
  it.each([
    ['user-service', 'user-service'],
    ['User-Service', 'user-service'],
    ['users.service.consul', 'users'],
    ['users.service.dc2.consul', 'users'],
    ['localhost', undefined],
    ['127.0.0.1', undefined],
    ['[::1]', undefined],
    ['api.example.com', undefined],
  ])('%s → %s', (host, expected) => {
    expect(defaultServiceMatch(host)).toBe(expected);
  });
});
