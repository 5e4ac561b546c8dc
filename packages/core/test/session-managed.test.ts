import {
  Consul,
  ConsulOptionError,
  type ConsulLockError,
  LIVENESS_SERVICE_NAME,
  type ManagedSession,
  silentLogger,
} from '../src';
import { createBound, type LivenessCheck } from '../src/coordination/liveness-check';
import { useAgent } from './support/agent';
import { delay, waitFor } from './support/coordination';

describe('consul.session.renewing', () => {
  const fx = useAgent();

  it('renews at TTL/2 and destroys the session on stop', async () => {
    const consul = fx.client();
    const session = await consul.session.renewing({ ttl: '10s', name: 'renew-test' });
    expect(session.name).toMatch(/^renew-test \[[0-9a-f]{8}\]$/);
    const info = await consul.session.info(session.id);
    expect(info?.ttl).toBe(10_000);
    expect(info?.name).toBe(session.name);

    const renewed = new Promise((resolve) => session.once('renewed', resolve));
    await renewed; // about 5 s in
    expect(session.status).toBe('active');
    expect(session.signal.aborted).toBe(false);

    await session.stop();
    expect(session.status).toBe('stopped');
    expect((session.signal.reason as ConsulLockError).reason).toBe('released');
    expect(await consul.session.info(session.id)).toBeUndefined();
  }, 20_000);

  it('a client closed right after stop() still waits for the session to be destroyed', async () => {
    const owner = new Consul({ address: fx.agent.address, logger: silentLogger });
    const session = await owner.session.renewing({ ttl: '10s', livenessCheck: true });
    const checkId = session.livenessCheckId as string;
    void session.stop(); // not awaited: the process is shutting down
    await owner.close();
    const consul = fx.client();
    expect(await consul.session.info(session.id)).toBeUndefined();
    expect((await consul.agent.checks())[checkId]).toBeUndefined();
  });

  it('is lost at once when a renewal answers 404 (destroyed elsewhere)', async () => {
    const consul = fx.client();
    const session = await consul.session.renewing({ ttl: '10s' });
    const lost = new Promise<ConsulLockError>((resolve) => session.once('lost', resolve));
    await consul.session.destroy(session.id);
    const error = await lost; // at the next renewal, TTL/2 later
    expect(error.reason).toBe('session-expired');
    expect(session.status).toBe('lost');
    expect(session.signal.reason).toBe(error);
  }, 20_000);

  it('validates options before sending anything', async () => {
    // Nothing listens on port 1: a request would fail with a connection error, not a config error.
    const offline = new Consul({ address: 'http://127.0.0.1:1', logger: silentLogger });
    try {
      await expect(offline.session.renewing({ ttl: '5s' })).rejects.toMatchObject({
        option: 'ttl',
      });
      await expect(offline.session.renewing({ ttl: '25h' })).rejects.toBeInstanceOf(
        ConsulOptionError,
      );
      await expect(offline.session.renewing({ lockDelay: '61s' })).rejects.toMatchObject({
        option: 'lockDelay',
      });
    } finally {
      await offline.close();
    }
  });
});

describe('consul.session.renewing with livenessCheck: true', () => {
  const fx = useAgent();

  it("registers a consulkit-session service whose TTL check the session is bound to (with the caller's checks), and removes it on stop", async () => {
    const consul = fx.client();
    await consul.agent.service.register({
      name: 'live-app',
      id: 'live-app-1',
      check: { checkId: 'live-app-1:ttl', ttl: '30s', status: 'passing' },
    });
    const session = await consul.session.renewing({
      ttl: '10s',
      name: 'live',
      livenessCheck: true,
      serviceChecks: ['live-app-1:ttl'],
    });
    const suffix = /\[([0-9a-f]{8})\]$/.exec(session.name)?.[1] as string;
    const serviceId = `${LIVENESS_SERVICE_NAME}-${suffix}`;
    expect(session.livenessCheckId).toBe(`${serviceId}:ttl`);

    const info = await consul.session.info(session.id);
    expect(info?.serviceChecks.map((c) => c.id)).toEqual([
      'live-app-1:ttl',
      session.livenessCheckId,
    ]);
    expect(info?.nodeChecks).toEqual(['serfHealth']);
    const checks = await consul.agent.checks();
    expect(checks[session.livenessCheckId as string]).toMatchObject({
      status: 'passing',
      serviceId,
      serviceName: LIVENESS_SERVICE_NAME,
    });
    // The check's TTL is the session's, and it never lapses while the session renews.
    expect((await consul.agent.services())[serviceId]?.meta).toMatchObject({
      session: session.name,
      pid: String(process.pid),
    });
    await new Promise((resolve) => session.once('renewed', resolve)); // ~5 s
    expect((await consul.agent.checks())[session.livenessCheckId as string]?.status).toBe(
      'passing',
    );

    await session.stop();
    expect(await consul.session.info(session.id)).toBeUndefined();
    expect(await consul.agent.service(serviceId)).toBeUndefined();
    await consul.agent.service.deregister('live-app-1');
  }, 20_000);

  it('is lost once its liveness check turns critical (Consul invalidates the session)', async () => {
    const consul = fx.client({ logger: silentLogger });
    const session = await consul.session.renewing({ ttl: '10s', livenessCheck: true });
    const lost = new Promise<ConsulLockError>((resolve) => session.once('lost', resolve));
    await consul.agent.check.fail(session.livenessCheckId as string);
    await waitFor(async () => (await consul.session.info(session.id)) === undefined, {
      timeout: 5_000,
    });
    // Noticed at the next renewal (TTL/2 at most): the session is gone.
    expect(['session-expired', 'session-invalidated']).toContain((await lost).reason);
    expect(session.signal.aborted).toBe(true);
  }, 20_000);

  it('retries a creation Consul answers "Missing check ... registration" until the check is known', async () => {
    const consul = fx.client();
    const check: LivenessCheck = {
      serviceId: 'late-live',
      checkId: 'late-live:ttl',
      ttlMs: 10_000,
      registeredAt: performance.now(),
    };
    let attempts = 0;
    const answers: string[] = [];
    const late = delay(300).then(() =>
      consul.agent.service.register({
        name: 'late-live',
        check: { checkId: check.checkId, ttl: '10s', status: 'passing' },
      }),
    );
    const id = await createBound(
      async () => {
        attempts++;
        try {
          return await consul.session.create({ ttl: '10s', serviceChecks: [check.checkId] });
        } catch (err) {
          answers.push((err as Error).message);
          throw err;
        }
      },
      [check.checkId],
      undefined,
    );
    await late;
    expect(attempts).toBeGreaterThan(1);
    expect(answers[0]).toMatch(/Missing check 'late-live:ttl' registration/);
    expect((await consul.session.info(id))?.serviceChecks.map((c) => c.id)).toEqual([
      check.checkId,
    ]);
    await consul.session.destroy(id);
    await consul.agent.service.deregister('late-live');
    // The absence of a check the session does not bind is not waited for.
    await expect(
      createBound(
        () => consul.session.create({ serviceChecks: ['nope:ttl'] }),
        [check.checkId, 'serfHealth'],
        undefined,
      ),
    ).rejects.toMatchObject({ status: 500 });
  });
});

describe('holding through a Consul outage', () => {
  const fx = useAgent({ persistent: true });

  async function holdWithSession(consul: Consul, key: string, ttl: string) {
    const session = await consul.session.renewing({ ttl, lockDelay: '0s' });
    const held = await consul.lock(key, { session }).acquire({ timeout: '10s' });
    return { session, held };
  }

  it('rides out an outage shorter than the TTL: the lock is still held afterwards', async () => {
    const consul = fx.client({ logger: silentLogger });
    const { session, held } = await holdWithSession(consul, 'outage/short', '30s');
    await fx.agent.kill('SIGKILL');
    await delay(3_000);
    // Consul is unreachable, but well within the TTL: not declared lost.
    expect(held.signal.aborted).toBe(false);
    await fx.agent.restart();
    await new Promise((resolve) => session.once('renewed', resolve));
    expect(held.signal.aborted).toBe(false);
    expect((await consul.kv.get('outage/short'))?.session).toBe(session.id);
    await held.release();
    await session.stop();
  }, 60_000);

  it('declares the lock lost on its own clock when the outage outlasts the TTL', async () => {
    const consul = fx.client({ logger: silentLogger });
    const { session, held } = await holdWithSession(consul, 'outage/long', '10s');
    const killedAt = performance.now();
    await fx.agent.kill('SIGKILL');
    await waitFor(() => held.signal.aborted, { timeout: 20_000, interval: 20 });
    const lostAfterMs = performance.now() - killedAt;
    const reason = (held.signal.reason as ConsulLockError).reason;
    console.log(
      `lock declared lost ${(lostAfterMs / 1000).toFixed(2)} s into the outage (${reason}, TTL 10 s)`,
    );
    expect(['renewal-lapsed', 'monitor-unreachable']).toContain(reason);
    expect((session as ManagedSession).status).toBe('lost');
    // Once Consul is back, the lost session is destroyed by its background retries (no zombie
    // holder); left alone, the restarted server would keep it for up to another 2×TTL.
    await fx.agent.restart();
    await waitFor(async () => (await consul.session.info(session.id)) === undefined, {
      timeout: 10_000,
    });
    expect((await consul.kv.get('outage/long'))?.session).toBeUndefined();
  }, 60_000);
});
