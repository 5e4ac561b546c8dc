import { spawn } from 'node:child_process';
import { type ConsulLockError, type HeldSemaphore, SEMAPHORE_FLAG_VALUE } from '../src';
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
