import { ConsulLockError, type Registration } from '@consulkit/core';
import { createServer, type Server } from 'node:net';
import { type AddressInfo } from 'node:net';
import { useAgent } from '../support/agent';
import { uniqueName } from '../support/diagnostics';
import { type FastifyBackend, startFastifyBackend } from '../support/fastify-app';
import { MODE } from '../support/mode';
import { since, waitFor } from '../support/wait';

jest.setTimeout(120_000);

/** A bare TCP listener for the TCP check. */
async function tcpServer(): Promise<Server> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('chaos: agent wipe', () => {
  const fx = useAgent();
  let app: FastifyBackend | undefined;
  let tcp: Server | undefined;
  afterAll(async () => {
    await app?.app.close();
    await new Promise((resolve) => tcp?.close(resolve));
  });

  it('re-registers every service (HTTP, TCP, TTL checks) within 2 s and reports sessions and locks lost', async () => {
    const consul = fx.client();
    // HTTP check: a Fastify app through the plugin.
    app = await startFastifyBackend('wiped', {
      consul: { address: fx.agent.address },
      service: { name: uniqueName('wipe-http'), check: { interval: '1s', timeout: '1s' } },
      drain: 0,
    });
    const httpRegistration = app.app.consul.registration as Registration;
    // TCP and TTL checks: core registrations.
    tcp = await tcpServer();
    const tcpRegistration = consul.register({
      name: uniqueName('wipe-tcp'),
      address: '127.0.0.1',
      port: (tcp.address() as AddressInfo).port,
      check: { tcp: true, interval: '1s' },
    });
    const ttlRegistration = consul.register(
      { name: uniqueName('wipe-ttl'), address: '127.0.0.1', port: 9, check: { ttl: '10s' } },
      { health: () => true },
    );
    const registrations = [httpRegistration, tcpRegistration, ttlRegistration];
    await Promise.all(registrations.map((r) => r.registered));

    // Coordination state the wipe destroys.
    const held = await consul.lock(uniqueName('wipe-lock'), { ttl: '10s' }).acquire();
    const session = await consul.session.renewing({ ttl: '10s' });
    let sessionLost: ConsulLockError | undefined;
    let sessionLostAt = 0;
    let lockLostAt = 0;
    session.on('lost', (err) => {
      sessionLost = err;
      sessionLostAt = performance.now();
    });
    held.signal.addEventListener('abort', () => (lockLostAt = performance.now()));

    const allBack = async () => {
      const [services, checks] = await Promise.all([
        consul.agent.services(),
        consul.agent.checks(),
      ]);
      return registrations.every(
        (r) => services[r.id] !== undefined && r.checkIds.every((c) => checks[c] !== undefined),
      );
    };
    expect(await allBack()).toBe(true);

    const wipeStarted = performance.now();
    await fx.agent.restart(); // a -dev agent comes back empty: no services, checks, KV or sessions
    const upAt = performance.now();
    const agentRestartMs = since(wipeStarted);
    // Bounded poll: every service must be back within 2 s of the agent answering again.
    await waitFor(allBack, { timeout: 2_000, interval: 25, what: 'every service re-registered' });
    const backMs = since(upAt);

    await waitFor(() => held.signal.aborted && sessionLost !== undefined, {
      timeout: 30_000,
      what: 'lock and session reported lost',
    });
    const lockReason = held.signal.reason as ConsulLockError;
    console.log(
      `[chaos] agent-wipe (${MODE}): services=${registrations.length} back=${backMs}ms after the ` +
        `restarted agent was ready (${agentRestartMs + backMs}ms after the wipe; the restart itself ` +
        `took ${agentRestartMs}ms) lock-lost=${lockReason.reason} ` +
        `${Math.round(lockLostAt - wipeStarted)}ms after the wipe, session-lost=${sessionLost?.reason} ` +
        `${Math.round(sessionLostAt - wipeStarted)}ms after the wipe (next renewal at TTL/2)`,
    );
    expect(backMs).toBeGreaterThanOrEqual(0);
    expect(lockReason).toBeInstanceOf(ConsulLockError);
    expect(lockReason.lost).toBe(true);
    expect(sessionLost?.lost).toBe(true);
    expect(registrations.every((r) => r.status === 'registered')).toBe(true);
    await tcpRegistration.deregister();
    await ttlRegistration.deregister();
  });
});
