import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Registration, type ServiceClient } from '@consulkit/core';
import { Inject, Injectable } from '@nestjs/common';
import { ConsulModule, ConsulService, getServiceClientToken, InjectServiceClient } from '../src';
import { closeApps, PLATFORMS, startApp, useAgent, waitFor } from './support/helpers';

@Injectable()
class CallsB {
  @InjectServiceClient('b', { retries: 0, timeout: '2s' }) tuned!: ServiceClient;

  constructor(@Inject(ConsulService) readonly consul: ConsulService) {}
}

@Injectable()
class CallsBByConstructor {
  constructor(@InjectServiceClient('b') readonly b: ServiceClient) {}
}

/** A real HTTP server answering with its own name. */
async function backend(id: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(id);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function callMany(client: ServiceClient, n: number): Promise<Map<string, number>> {
  const hits = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const { body } = await client.get('/');
    const id = await body.text();
    hits.set(id, (hits.get(id) ?? 0) + 1);
  }
  return hits;
}

describe.each(PLATFORMS)('@InjectServiceClient on %s with a real agent', (_platform, adapter) => {
  const fx = useAgent();
  const servers: Server[] = [];
  const registrations: Registration[] = [];

  beforeAll(async () => {
    const consul = fx.client();
    for (const id of ['b-1', 'b-2']) {
      const { server, port } = await backend(id);
      servers.push(server);
      const registration = consul.register({ name: 'b', id, port, address: '127.0.0.1' });
      registrations.push(registration);
      await registration.registered;
    }
  });
  afterAll(async () => {
    await Promise.allSettled(registrations.map((r) => r.deregister()));
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });
  afterEach(closeApps);

  function consulModule() {
    return ConsulModule.forRoot({
      isGlobal: true,
      consul: { address: fx.agent.address },
      service: false,
    });
  }

  it('injects a client that balances over both instances of b', async () => {
    const app = await startApp(
      { imports: [consulModule()], providers: [CallsBByConstructor] },
      adapter,
    );
    const client = app.get(CallsBByConstructor).b;
    expect(client.service).toBe('b');
    const hits = await callMany(client, 10);
    expect([...hits.keys()].sort()).toEqual(['b-1', 'b-2']);
    // Round robin by default: an even split.
    expect(hits.get('b-1')).toBe(5);
  });

  it('honours per-injection options on a property, and ConsulService.service() works too', async () => {
    const app = await startApp({ imports: [consulModule()], providers: [CallsB] }, adapter);
    const calls = app.get(CallsB);
    // A declaration with options has a client of its own, not the app's cached one.
    expect(calls.tuned).not.toBe(calls.consul.service('b'));
    const tuned = await callMany(calls.tuned, 4);
    expect([...tuned.keys()].sort()).toEqual(['b-1', 'b-2']);
    const direct = await callMany(calls.consul.service('b'), 4);
    expect([...direct.keys()].sort()).toEqual(['b-1', 'b-2']);
  });

  it('follows the catalog: an instance in maintenance stops receiving calls', async () => {
    const app = await startApp(
      { imports: [consulModule()], providers: [CallsBByConstructor] },
      adapter,
    );
    const client = app.get(CallsBByConstructor).b;
    await callMany(client, 2);
    const consul = fx.client();
    await consul.agent.service.maintenance('b-2', true, 'test');
    try {
      await waitFor(
        () => callMany(client, 4),
        (hits) => hits.size === 1 && hits.has('b-1'),
      );
    } finally {
      await consul.agent.service.maintenance('b-2', false);
    }
  });

  it('caches ConsulService.service(name) per name, shared with @InjectServiceClient(name)', async () => {
    const app = await startApp(
      { imports: [consulModule()], providers: [CallsBByConstructor] },
      adapter,
    );
    const consul = app.get(ConsulService);
    const injected = app.get(CallsBByConstructor).b;
    expect(consul.service('b')).toBe(injected);
    expect(consul.service('b', {})).toBe(injected);
    expect(() => consul.service('b', { retries: 5 })).toThrow(
      expect.objectContaining({ option: 'service("b").options' }),
    );
  });

  it('creates no client in an app without a consumer', async () => {
    const app = await startApp({ imports: [consulModule()] }, adapter);
    expect(app.get(getServiceClientToken('b'), { strict: false })).toBeNull();
  });

  it('closes the injected clients on shutdown', async () => {
    const app = await startApp(
      { imports: [consulModule()], providers: [CallsBByConstructor] },
      adapter,
    );
    const client = app.get(CallsBByConstructor).b;
    await app.close();
    expect(client.closed).toBe(true);
  });
});
