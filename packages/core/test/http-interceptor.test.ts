import type { LookupFunction } from 'node:net';
import { Agent, fetch, interceptors, request } from 'undici';
import {
  ConsulOptionError,
  ConsulNoInstanceError,
  DIAGNOSTIC_CHANNELS,
  createDiscoveryInterceptor,
  createStaticSource,
  defaultServiceMatch,
  parseServiceHost,
  silentLogger,
  type DiscoveryInterceptor,
  type DiscoveryInterceptorOptions,
  type HttpEjectMessage,
  type InstanceSource,
  type ServiceTarget,
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

/** A `lookup` for `net.connect` sending every host name to 127.0.0.1. */
const loopbackLookup: LookupFunction = (_host, options, callback) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

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
    // Between the interceptor and the socket, aim the passed-through request at the backend.
    const toBackend: Parameters<Agent['compose']>[0] = (dispatch) => (opts, handler) =>
      dispatch({ ...opts, origin: `http://127.0.0.1:${backend.port}` }, handler);
    const { discovery, resolved } = compose({}, { match: () => 'not-a-service' });
    const agent = new Agent();
    agents.push(agent);
    // compose(): the last interceptor runs first, so the discovery interceptor sees the host.
    const dispatcher = agent.compose(toBackend, discovery);
    expect((await text('http://unknown-host/', dispatcher)).body).toBe('direct');
    expect(resolved).toEqual(['not-a-service']);
  });

  it('routes <svc>.service.<dc>.consul and <tag>.<svc>.service.consul to their own sources', async () => {
    const [local, remote, tagged] = await Promise.all(
      ['local', 'dc2', 'tagged'].map((n) => startBackend(n)),
    );
    const targets: ServiceTarget[] = [];
    const discovery = createDiscoveryInterceptor(
      (service, target) => {
        targets.push(target);
        const backend = target.dc === 'dc2' ? remote : target.tag === 'v2' ? tagged : local;
        return sourceOf(service, [backend]);
      },
      { logger: silentLogger, closeSources: true },
    );
    interceptorsToClose.push(discovery);
    const agent = new Agent();
    agents.push(agent);
    const dispatcher = agent.compose(discovery);
    expect((await text('http://users.service.dc2.consul/u', dispatcher)).body).toBe('dc2');
    expect((await text('http://users/u', dispatcher)).body).toBe('local');
    expect((await text('http://users.service.consul/u', dispatcher)).body).toBe('local');
    expect((await text('http://v2.users.service.consul/u', dispatcher)).body).toBe('tagged');
    expect((await text('http://users.service.dc2.consul/u', dispatcher)).body).toBe('dc2');
    // One source per distinct target: the bare name and its DNS form share one.
    expect(targets).toEqual([
      { service: 'users', dc: 'dc2' },
      { service: 'users' },
      { service: 'users', tag: 'v2' },
    ]);
    expect(remote.seen).toEqual([
      'GET /u users.service.dc2.consul',
      'GET /u users.service.dc2.consul',
    ]);
  });

  it('takes a target from a custom match, and still a plain service name', async () => {
    const [local, remote] = await Promise.all(['local', 'dc2'].map((n) => startBackend(n)));
    const { dispatcher } = compose(
      { users: sourceOf('users', [local]) },
      { match: (host) => (host === 'people' ? 'users' : undefined) },
    );
    expect((await text('http://people/p', dispatcher)).body).toBe('local');
    const targeted = createDiscoveryInterceptor(
      (service, target) => sourceOf(service, [target.dc === 'dc2' ? remote : local]),
      { logger: silentLogger, match: () => ({ service: 'users', dc: 'dc2' }) },
    );
    interceptorsToClose.push(targeted);
    const agent = new Agent();
    agents.push(agent);
    expect((await text('http://people/p', agent.compose(targeted))).body).toBe('dc2');
  });

  it('passes a host with an explicit port through without asking resolve (http://redis:6379)', async () => {
    const backend = await startBackend('redis-like');
    const discovery = createDiscoveryInterceptor(
      (name) => {
        throw new Error(`resolve must not be asked for ${name}`);
      },
      { logger: silentLogger, readyTimeout: '60s' },
    );
    interceptorsToClose.push(discovery);
    // Every host name dials loopback: "redis" needs no DNS entry on the test machine.
    const agent = new Agent({ connect: { lookup: loopbackLookup } });
    agents.push(agent);
    const dispatcher = agent.compose(discovery);
    const { status, body } = await text(`http://redis:${backend.port}/get`, dispatcher);
    expect({ status, body }).toEqual({ status: 200, body: 'redis-like' });
    expect(backend.seen).toEqual([`GET /get redis:${backend.port}`]);
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

describe('parseServiceHost', () => {
  it.each<[string, ServiceTarget | undefined]>([
    ['user-service', { service: 'user-service' }],
    ['User-Service', { service: 'user-service' }],
    ['users.service.consul', { service: 'users' }],
    ['users.service.consul.', { service: 'users' }],
    ['users.service.dc2.consul', { service: 'users', dc: 'dc2' }],
    ['primary.users.service.consul', { service: 'users', tag: 'primary' }],
    ['v2.users.service.DC2.consul', { service: 'users', dc: 'dc2', tag: 'v2' }],
    ['a.b.users.service.consul', undefined],
    ['users.service.example.com', undefined],
    ['localhost', undefined],
    ['127.0.0.1', undefined],
    ['[::1]', undefined],
    ['api.example.com', undefined],
  ])('%s → %j', (host, expected) => {
    expect(parseServiceHost(host)).toEqual(expected);
  });
});

describe('defaultServiceMatch (the service name only, for existing callers)', () => {
  it.each([
    ['user-service', 'user-service'],
    ['User-Service', 'user-service'],
    ['users.service.consul', 'users'],
    ['users.service.dc2.consul', 'users'],
    ['primary.users.service.dc2.consul', 'users'],
    ['localhost', undefined],
    ['127.0.0.1', undefined],
    ['[::1]', undefined],
    ['api.example.com', undefined],
  ])('%s → %s', (host, expected) => {
    expect(defaultServiceMatch(host)).toBe(expected);
  });
});
