import {
  Consul,
  ConsulConfigError,
  type ConsulLockError,
  type ManagedSession,
  silentLogger,
} from '../src';
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
        ConsulConfigError,
      );
      await expect(offline.session.renewing({ lockDelay: '61s' })).rejects.toMatchObject({
        option: 'lockDelay',
      });
    } finally {
      await offline.close();
    }
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
