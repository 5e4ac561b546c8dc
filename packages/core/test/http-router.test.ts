import { uniqueName } from '@consulkit/testing';
import { Agent, request } from 'undici';
import {
  ConsulNoInstanceError,
  DIAGNOSTIC_CHANNELS,
  consistentHash,
  createDiscoveryInterceptor,
  createStaticSource,
  silentLogger,
  type Consul,
  type EjectionOptions,
  type HttpEjectMessage,
  type HttpNoInstanceMessage,
  type HttpRetryMessage,
} from '../src';
import { record, refusedPort, startBackend, stopAllBackends } from './http-backends';
import { useAgent } from './support/agent';

/**
 * The service client and the discovery interceptor route through one router: the same retry,
 * ejection and no-instance behaviour (and reports) on both paths, against instances registered in
 * a real agent.
 */

jest.setTimeout(60_000);

type RoutingPath = 'ServiceClient' | 'interceptor';

interface CallerOptions {
  ejection: EjectionOptions | false;
  /** Discovery option: also list instances that are not passing. */
  passingOnly?: boolean;
}

/** GETs to a service through one routing path. */
interface Caller {
  get(path: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

const openCaller: Record<
  RoutingPath,
  (consul: Consul, service: string, options: CallerOptions) => Caller
> = {
  ServiceClient(consul, service, { ejection, passingOnly }) {
    const http = consul.http(service, { ejection, passingOnly });
    return {
      async get(path) {
        const res = await http.get(path);
        return { status: res.statusCode, body: await res.body.text() };
      },
      close: () => http.close(),
    };
  },
  interceptor(consul, service, { ejection, passingOnly }) {
    const interceptor = consul.interceptor({ ejection, discovery: { passingOnly } });
    const dispatcher = new Agent({ keepAliveTimeout: 1_000 }).compose(interceptor);
    return {
      async get(path) {
        // The Consul DNS form always routes through discovery: a bare single label the catalog
        // does not list passes through untouched, which is not the case tested here.
        const res = await request(`http://${service}.service.consul${path}`, { dispatcher });
        return { status: res.statusCode, body: await res.body.text() };
      },
      async close() {
        interceptor.close();
        await dispatcher.close();
      },
    };
  },
};

const fx = useAgent();
const callers: Caller[] = [];
const registered: string[] = [];
let consul: Consul;

beforeAll(() => {
  consul = fx.client({ logger: silentLogger });
});

afterEach(async () => {
  await Promise.all(callers.splice(0).map((c) => c.close()));
  await Promise.all(registered.splice(0).map((id) => consul.agent.service.deregister(id)));
  await stopAllBackends();
});

/** Registers instances of `service` on 127.0.0.1 with a TTL check in the given state. */
async function register(
  service: string,
  instances: Array<{ id: string; port: number; status?: 'passing' | 'critical' }>,
): Promise<void> {
  for (const { id, port, status } of instances) {
    await consul.agent.service.register({
      name: service,
      id,
      address: '127.0.0.1',
      port,
      check: { ttl: '10m', status: status ?? 'passing', checkId: `${id}-ttl` },
    });
    registered.push(id);
  }
}

/** A service with one instance refusing connections and one answering `live`. */
async function deadAndLive(): Promise<{ service: string; deadId: string; deadPort: number }> {
  const service = uniqueName('rt');
  const live = await startBackend('live');
  const deadPort = await refusedPort();
  const deadId = `${service}-dead`;
  await register(service, [
    { id: deadId, port: deadPort },
    { id: `${service}-live`, port: live.port },
  ]);
  return { service, deadId, deadPort };
}

describe.each<RoutingPath>(['ServiceClient', 'interceptor'])(
  '%s routes through the router',
  (path) => {
    const open = (service: string, options: CallerOptions): Caller => {
      const caller = openCaller[path](consul, service, options);
      callers.push(caller);
      return caller;
    };

    it('retries a refused connection on another instance and reports each retry', async () => {
      const { service, deadId, deadPort } = await deadAndLive();
      const retries = record<HttpRetryMessage>(DIAGNOSTIC_CHANNELS.httpRetry);
      try {
        const caller = open(service, { ejection: false });
        const answers = [];
        for (let i = 0; i < 10; i++) answers.push(await caller.get(`/r/${i}`));
        expect(answers).toEqual(Array.from({ length: 10 }, () => ({ status: 200, body: 'live' })));
        const mine = retries.messages.filter((m) => m.service === service);
        expect(mine.length).toBeGreaterThan(0);
        for (const m of mine) {
          expect(m).toEqual({
            service,
            method: 'GET',
            path: expect.stringMatching(/^\/r\/\d$/),
            instance: { id: deadId, address: '127.0.0.1', port: deadPort },
            attempt: 1,
            reason: 'ECONNREFUSED',
          });
        }
      } finally {
        retries.stop();
      }
    });

    it('ejects an instance after consecutive failures and stops trying it', async () => {
      const { service, deadId, deadPort } = await deadAndLive();
      const ejects = record<HttpEjectMessage>(DIAGNOSTIC_CHANNELS.httpEject);
      const retries = record<HttpRetryMessage>(DIAGNOSTIC_CHANNELS.httpRetry);
      const ejected = () => ejects.messages.filter((m) => m.service === service);
      const retried = () => retries.messages.filter((m) => m.service === service).length;
      try {
        const caller = open(service, {
          ejection: { consecutiveFailures: 2, baseEjectionTime: '1m', maxEjectedPercent: 50 },
        });
        for (let i = 0; i < 20 && ejected().length === 0; i++) {
          expect(await caller.get(`/e/${i}`)).toEqual({ status: 200, body: 'live' });
        }
        expect(ejected()).toEqual([
          {
            service,
            instance: { id: deadId, address: '127.0.0.1', port: deadPort },
            consecutiveFailures: 2,
            ejectionMs: 60_000,
            ejections: 1,
          },
        ]);
        expect(retried()).toBe(2);
        // Ejected: no call goes to the dead instance any more, so none needs a retry.
        for (let i = 0; i < 10; i++) {
          expect(await caller.get(`/after/${i}`)).toEqual({ status: 200, body: 'live' });
        }
        expect(retried()).toBe(2);
      } finally {
        ejects.stop();
        retries.stop();
      }
    });

    it('fails with ConsulNoInstanceError when the service has no passing instance', async () => {
      const service = uniqueName('rt');
      const reports = record<HttpNoInstanceMessage>(DIAGNOSTIC_CHANNELS.httpNoInstance);
      try {
        const caller = open(service, { ejection: false });
        const err = await caller.get('/none').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConsulNoInstanceError);
        expect(err).toMatchObject({
          code: 'CONSUL_NO_INSTANCE',
          service,
          message: `No healthy instance of service "${service}" (no instance is passing)`,
        });
        expect(reports.messages.filter((m) => m.service === service)).toEqual([
          { service, method: 'GET', path: '/none' },
        ]);
      } finally {
        reports.stop();
      }
    });

    it('fails with ConsulNoInstanceError when no listed instance is eligible', async () => {
      const service = uniqueName('rt');
      const backend = await startBackend('critical');
      await register(service, [{ id: `${service}-c`, port: backend.port, status: 'critical' }]);
      const caller = open(service, { ejection: false, passingOnly: false });
      await expect(caller.get('/')).rejects.toThrow(
        new ConsulNoInstanceError(service, 'none of 1 instances is eligible'),
      );
      expect(backend.hits).toBe(0);
    });
  },
);

describe('the interceptor re-dispatches through the router', () => {
  it("with the call context: consistentHash sends a dead owner's path to one next instance", async () => {
    const backends = await Promise.all(['a', 'b', 'c'].map((name) => startBackend(name)));
    const dead = { id: 'dead', address: '127.0.0.1', port: await refusedPort() };
    const source = createStaticSource('svc', [
      dead,
      ...backends.map((b) => ({ id: b.name, address: '127.0.0.1', port: b.port })),
    ]);
    const byPath = consistentHash((ctx) => ctx.request?.path);
    const ownedByDead = Array.from({ length: 200 }, (_, i) => `/obj/${i}`).filter(
      (p) =>
        byPath.pick(source.instances(), { request: { method: 'GET', path: p } })?.id === 'dead',
    );
    expect(ownedByDead.length).toBeGreaterThan(0);
    const interceptor = createDiscoveryInterceptor(() => source, {
      balancer: () => consistentHash((ctx) => ctx.request?.path),
      ejection: false,
      logger: silentLogger,
    });
    const dispatcher = new Agent({ keepAliveTimeout: 1_000 }).compose(interceptor);
    try {
      const bodies = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const res = await request(`http://svc${ownedByDead[0]}`, { dispatcher });
        bodies.add(await res.body.text());
      }
      // The retry pick sees the same path: the next owner clockwise, every time.
      expect(bodies.size).toBe(1);
    } finally {
      interceptor.close();
      await dispatcher.close();
    }
  });
});
