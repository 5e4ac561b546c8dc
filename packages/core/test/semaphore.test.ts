import { spawn } from 'node:child_process';
import {
  type ConsulLockError,
  type HeldSemaphore,
  LIVENESS_SERVICE_NAME,
  silentLogger,
} from '../src';
import { SEMAPHORE_FLAG_VALUE } from '../src/coordination/constants';
import { useAgent } from './support/agent';
import { delay, waitFor } from './support/coordination';

/** Runs `consul lock -n=<limit> ...` against the test agent; resolves its exit code. */
function consulSemaphore(address: string, args: string[]): Promise<number | null> {
  const bin = process.env.CONSUL_BIN;
  if (!bin) throw new Error('CONSUL_BIN is not set (jest global setup provides it)');
  const child = spawn(bin, ['lock', `-http-addr=${address}`, ...args], { stdio: 'ignore' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('consul.semaphore', () => {
  const fx = useAgent();

  it('admits 2 of 3 contenders with limit 2, in the Go layout, and the third after a release', async () => {
    const sems = [0, 1, 2].map((i) =>
      fx.client().semaphore('sem/two', 2, { value: `contender-${i}`, ttl: '10s' }),
    );
    const holders: Array<HeldSemaphore | undefined> = [undefined, undefined, undefined];
    const attempts = sems.map((s, i) =>
      s.acquire({ timeout: '30s' }).then((h) => (holders[i] = h)),
    );
    await waitFor(() => holders.filter(Boolean).length === 2, { timeout: 10_000 });
    await delay(500);
    expect(holders.filter(Boolean)).toHaveLength(2); // the third is still waiting

    const consul = fx.client();
    const record = await consul.kv.get('sem/two/.lock');
    expect(record?.flags).toBe(SEMAPHORE_FLAG_VALUE);
    const parsed = JSON.parse(record?.value ?? '{}') as { Limit: number; Holders: object };
    expect(parsed.Limit).toBe(2);
    const sessions = holders.filter((h): h is HeldSemaphore => !!h).map((h) => h.session);
    expect(Object.keys(parsed.Holders).sort()).toEqual([...sessions].sort());
    for (const session of sessions) {
      const contender = await consul.kv.get(`sem/two/${session}`);
      expect(contender?.session).toBe(session);
      expect(contender?.flags).toBe(SEMAPHORE_FLAG_VALUE);
    }

    const first = holders.find(Boolean) as HeldSemaphore;
    await first.release();
    expect(first.signal.aborted).toBe(true);
    await Promise.all(attempts);
    expect(holders.filter((h) => h && !h.signal.aborted)).toHaveLength(2);
    expect(await consul.kv.get(`sem/two/${first.session}`)).toBeUndefined();
    await Promise.all(holders.map((h) => h?.release()));
    await sems[0]?.destroy();
    expect(await consul.kv.get('sem/two/.lock')).toBeUndefined();
  });

  it('refuses a different limit and a lock on the same prefix (collision is detected)', async () => {
    const consul = fx.client();
    const held = await consul.semaphore('sem/conflict', 2).acquire({ timeout: '10s' });
    await expect(consul.semaphore('sem/conflict', 3).acquire()).rejects.toMatchObject({
      reason: 'conflict',
    });
    await expect(
      consul.lock('sem/conflict', { goCompatible: true }).acquire({ timeout: '5s' }),
    ).rejects.toMatchObject({ reason: 'conflict' });
    await held.release();
  });

  it('loses the slot when its session is destroyed', async () => {
    const consul = fx.client();
    const held = await consul.semaphore('sem/lost', 1).acquire({ timeout: '10s' });
    await consul.session.destroy(held.session);
    await waitFor(() => held.signal.aborted, { timeout: 2_000, interval: 10 });
    expect((held.signal.reason as ConsulLockError).lost).toBe(true);
    // The slot is free again for someone else.
    const next = await consul.semaphore('sem/lost', 1).acquire({ timeout: '10s' });
    await next.release();
  });

  it('binds each slot session to a liveness check with livenessCheck: true, and frees the slot when it turns critical', async () => {
    const consul = fx.client({ logger: silentLogger });
    const held = await consul
      .semaphore('sem/live', 1, { ttl: '10s', livenessCheck: true })
      .acquire({ timeout: '10s' });
    const info = await consul.session.info(held.session);
    const bound = (info?.serviceChecks ?? []).map((c) => c.id);
    expect(bound).toHaveLength(1);
    const checkId = bound[0] as string;
    const checks = await consul.agent.checks();
    expect(checks[checkId]).toMatchObject({
      status: 'passing',
      serviceName: LIVENESS_SERVICE_NAME,
    });
    // A crashed holder's check lapses; failing it by hand has the same effect at once.
    await consul.agent.check.fail(checkId);
    await waitFor(() => held.signal.aborted, { timeout: 10_000, interval: 20 });
    expect((held.signal.reason as ConsulLockError).lost).toBe(true);
    const next = await consul.semaphore('sem/live', 1).acquire({ timeout: '10s' });
    await next.release();
    await waitFor(async () => (await consul.agent.checks())[checkId] === undefined, {
      timeout: 5_000,
    });
  }, 20_000);

  it('releases a slot held with a liveness check and removes its service; validates the flag', async () => {
    const consul = fx.client();
    const held = await consul
      .semaphore('sem/live-release', 1, { livenessCheck: true })
      .acquire({ timeout: '10s' });
    const serviceChecks = (await consul.session.info(held.session))?.serviceChecks ?? [];
    const checkId = serviceChecks[0]?.id as string;
    expect(checkId).toMatch(new RegExp(`^${LIVENESS_SERVICE_NAME}-[0-9a-f]+:ttl$`));
    await held.release();
    expect(await consul.session.info(held.session)).toBeUndefined();
    expect((await consul.agent.checks())[checkId]).toBeUndefined();
    expect(() =>
      consul.semaphore('sem/x', 1, { livenessCheck: 'yes' as unknown as boolean }),
    ).toThrow(expect.objectContaining({ option: 'livenessCheck' }) as Error);
  });

  it('shares slots with `consul lock -n=2` (the official CLI semaphore)', async () => {
    const consul = fx.client();
    const one = await consul.semaphore('sem/cli', 2).acquire({ timeout: '10s' });
    expect(
      await consulSemaphore(fx.agent.address, ['-n=2', '-timeout=5s', 'sem/cli', 'true']),
    ).toBe(0);
    const two = await consul.semaphore('sem/cli', 2).acquire({ timeout: '10s' });
    // Both slots are ours: the CLI cannot get one.
    expect(
      await consulSemaphore(fx.agent.address, ['-n=2', '-timeout=1s', 'sem/cli', 'true']),
    ).not.toBe(0);
    await Promise.all([one.release(), two.release()]);
  }, 30_000);
});
