import { Agent, request, type Dispatcher } from 'undici';
import { uniqueName, waitFor } from '@consulkit/testing';
import { ConsulNoInstanceError, silentLogger, type Registration } from '../src';
import { type Backend, startBackend, stopAllBackends } from './http-backends';
import { useAgent } from './support/agent';

// Far below the interceptors' 60 s readyTimeout: a request that waited for discovery fails the test.
jest.setTimeout(20_000);

/**
 * An interceptor run after discovery: aims a request that passed through with its logical host
 * (not re-aimed at an instance's 127.0.0.1 address) at `backend`.
 */
function passedThroughTo(backend: Backend): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) =>
    String(opts.origin).startsWith('http://127.0.0.1:')
      ? dispatch(opts, handler)
      : dispatch({ ...opts, origin: `http://127.0.0.1:${backend.port}` }, handler);
}

describe('consul.interceptor(): which hosts are services (real agent)', () => {
  const fx = useAgent();
  const agents: Agent[] = [];
  const registrations: Registration[] = [];

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
    await Promise.allSettled(registrations.splice(0).map((r) => r.deregister({ timeout: '2s' })));
    await stopAllBackends();
  });

  it('passes a single-label host the catalog does not list through at once, never waiting readyTimeout', async () => {
    const consul = fx.client({ logger: silentLogger });
    const direct = await startBackend('direct');
    const agent = new Agent();
    agents.push(agent);
    const interceptor = consul.interceptor({ readyTimeout: '60s' });
    // compose(): the last interceptor runs first, so discovery sees the logical host.
    const dispatcher = agent.compose(passedThroughTo(direct), interceptor);
    const host = uniqueName('not-registered');
    const first = await request(`http://${host}/a`, { dispatcher });
    expect({ status: first.statusCode, body: await first.body.text() }).toEqual({
      status: 200,
      body: 'direct',
    });
    // Second time, from the followed catalog list: still a pass-through.
    const second = await request(`http://${host}/b`, { dispatcher });
    expect(await second.body.text()).toBe('direct');
    // A Consul DNS name is a service by its form: it waits for discovery (here, briefly).
    const short = agent.compose(consul.interceptor({ readyTimeout: '200ms' }));
    await expect(request(`http://${host}.service.consul/c`, { dispatcher: short })).rejects.toThrow(
      ConsulNoInstanceError,
    );
  });

  it('routes a single-label host the catalog lists, registered after the catalog was first read', async () => {
    const consul = fx.client({ logger: silentLogger });
    const [direct, instance] = await Promise.all(
      ['direct', 'instance'].map((n) => startBackend(n)),
    );
    const agent = new Agent();
    agents.push(agent);
    const dispatcher = agent.compose(
      passedThroughTo(direct),
      consul.interceptor({ readyTimeout: '60s' }),
    );
    const name = uniqueName('late');
    expect(await (await request(`http://${name}/`, { dispatcher })).body.text()).toBe('direct');
    const registration = consul.register({ name, address: '127.0.0.1', port: instance.port });
    registrations.push(registration);
    await registration.registered;
    const body = await waitFor(
      async () => (await request(`http://${name}/`, { dispatcher })).body.text(),
      (text) => text === 'instance',
      { timeout: 10_000, what: `http://${name}/ to reach the registered instance` },
    );
    expect(body).toBe('instance');
  });

  it('routes <tag>.<svc>.service.consul to the instances with that tag', async () => {
    const consul = fx.client({ logger: silentLogger });
    const name = uniqueName('tagged');
    const pair = await Promise.all(['primary', 'other'].map((n) => startBackend(n)));
    const regs = pair.map((b, i) =>
      consul.register({
        name,
        address: '127.0.0.1',
        port: b.port,
        tags: i === 0 ? ['primary'] : ['replica'],
      }),
    );
    registrations.push(...regs);
    await Promise.all(regs.map((r) => r.registered));
    const agent = new Agent();
    agents.push(agent);
    const dispatcher = agent.compose(consul.interceptor({ readyTimeout: '60s' }));
    const bodies = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await request(`http://primary.${name}.service.consul/x`, { dispatcher });
      bodies.add(await res.body.text());
    }
    expect([...bodies]).toEqual(['primary']);
    const all = new Set<string>();
    for (let i = 0; i < 6; i++) {
      all.add(await (await request(`http://${name}.service.consul/x`, { dispatcher })).body.text());
    }
    expect([...all].sort()).toEqual(['other', 'primary']);
  });
});
