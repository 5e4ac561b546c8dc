import { type ConsulLockError } from '../src';
import { LOCK_FLAG_VALUE, SEMAPHORE_FLAG_VALUE } from '../src/coordination/constants';
import { useAgent } from './support/agent';
import { delay, waitFor } from './support/coordination';
import { sampleUntil } from './support/samples';

describe('consul.lock', () => {
  const fx = useAgent();

  it('acquires with the Go flag, a fencing token from the acquiring write, and releases', async () => {
    const consul = fx.client();
    const held = await consul.lock('lock-basic/a', { value: 'me', lockDelay: '0s' }).acquire();
    const entry = await consul.kv.get('lock-basic/a');
    expect(entry?.flags).toBe(LOCK_FLAG_VALUE);
    expect(entry?.session).toBe(held.session);
    expect(entry?.value).toBe('me');
    expect(held.fencingToken).toBe(entry?.modifyIndex);
    expect(held.signal.aborted).toBe(false);

    await held.release();
    expect(held.signal.aborted).toBe(true);
    expect((held.signal.reason as ConsulLockError).reason).toBe('released');
    expect((await consul.kv.get('lock-basic/a'))?.session).toBeUndefined();
    // The session the lock created is destroyed with the release.
    expect(await consul.session.info(held.session)).toBeUndefined();
  });

  it('gives strictly increasing fencing tokens to successive holders', async () => {
    const consul = fx.client();
    const tokens: number[] = [];
    for (let i = 0; i < 3; i++) {
      const held = await consul.lock('lock-basic/tokens', { lockDelay: '0s' }).acquire();
      tokens.push(held.fencingToken);
      // A non-lock write resets LockIndex, but not the fencing token order.
      await consul.kv.put('lock-basic/tokens', 'x', { flags: LOCK_FLAG_VALUE });
      await held.release();
    }
    expect(tokens[1]).toBeGreaterThan(tokens[0] as number);
    expect(tokens[2]).toBeGreaterThan(tokens[1] as number);
  });

  it('makes a second contender wait until the holder releases', async () => {
    const consul = fx.client();
    const first = await consul.lock('lock-basic/wait', { lockDelay: '0s' }).acquire();
    let secondHeld = false;
    const second = consul
      .lock('lock-basic/wait', { lockDelay: '0s' })
      .acquire()
      .then((h) => {
        secondHeld = true;
        return h;
      });
    // The contender is blocked on the key while the first holds it.
    await new Promise((r) => setTimeout(r, 300));
    expect(secondHeld).toBe(false);
    await first.release();
    const held = await second;
    expect(held.fencingToken).toBeGreaterThan(first.fencingToken);
    await held.release();
  });

  it('refuses a second acquire on the same object and a key with other flags', async () => {
    const consul = fx.client();
    const lock = consul.lock('lock-basic/double', { lockDelay: '0s' });
    const held = await lock.acquire();
    await expect(lock.acquire()).rejects.toMatchObject({ reason: 'held' });
    await held.release();

    await consul.kv.put('lock-basic/sem', '{}', { flags: SEMAPHORE_FLAG_VALUE });
    await expect(consul.lock('lock-basic/sem').acquire()).rejects.toMatchObject({
      code: 'CONSUL_LOCK',
      reason: 'conflict',
    });
  });

  it('times out while someone else holds the lock, and cleans up its session', async () => {
    const consul = fx.client();
    const held = await consul.lock('lock-basic/timeout', { lockDelay: '0s' }).acquire();
    const before = (await consul.session.list()).length;
    await expect(
      consul.lock('lock-basic/timeout').acquire({ timeout: '500ms' }),
    ).rejects.toMatchObject({ reason: 'timeout' });
    await waitFor(async () => (await consul.session.list()).length === before, { timeout: 5_000 });
    await held.release();
  });

  it('aborts the holder signal within 1 s when its session is destroyed', async () => {
    const consul = fx.client();
    const held = await consul.lock('lock-basic/destroy', { lockDelay: '0s' }).acquire();
    const destroyedAt = performance.now();
    await consul.session.destroy(held.session);
    // The monitor's consistent blocking read wakes on the release: well within 1 s.
    await waitFor(() => held.signal.aborted, { timeout: 1_000, interval: 5 });
    console.log(
      `holder signal aborted ${(performance.now() - destroyedAt).toFixed(0)} ms after the session destroy`,
    );
    expect((held.signal.reason as ConsulLockError).reason).toBe('session-invalidated');
    expect((held.signal.reason as ConsulLockError).lost).toBe(true);
    await held.release(); // a no-op after loss
  });

  it('aborts the holder signal when another writer takes or deletes the key', async () => {
    const consul = fx.client();
    const held = await consul.lock('lock-basic/deleted', { lockDelay: '0s' }).acquire();
    await consul.kv.delete('lock-basic/deleted');
    await waitFor(() => held.signal.aborted, { timeout: 2_000, interval: 10 });
    expect((held.signal.reason as ConsulLockError).reason).toBe('key-deleted');
    await waitFor(async () => (await consul.session.info(held.session)) === undefined, {
      timeout: 5_000,
    });
  });

  it('lets nobody acquire before the lock-delay has passed since the holder was invalidated, and waits it out without hot-looping', async () => {
    const LOCK_DELAY_MS = 2_000;
    const key = 'lock-basic/delay';
    const consul = fx.client();
    const held = await consul.lock(key, { lockDelay: `${LOCK_DELAY_MS}ms` }).acquire();
    const contender = fx.client();
    const txnRun = jest.spyOn(contender.txn, 'run');
    let acquiredAt: number | undefined;
    const waiting = contender
      .lock(key, { lockDelay: '0s' })
      .acquire({ timeout: '30s' })
      .then((next) => {
        acquiredAt = performance.now();
        return next;
      });
    await waitFor(async () => (await consul.kv.get(key))?.session === held.session);
    await delay(200); // let the contender block on the key
    const destroySentAt = performance.now();
    // Who holds the key, sampled from a third client until the contender has it.
    const sampling = sampleUntil(
      async () => (await consul.kv.get(key))?.session,
      () => acquiredAt !== undefined,
    );
    await consul.session.destroy(held.session);
    const next = await waiting;
    const samples = await sampling;
    const waitedMs = (acquiredAt as number) - destroySentAt;
    console.log(
      `acquire after invalidation with a ${LOCK_DELAY_MS / 1000} s lock-delay: ` +
        `${(waitedMs / 1000).toFixed(2)} s after the destroy was sent, ` +
        `${txnRun.mock.calls.length} acquire transactions, ${samples.length} samples of the key`,
    );
    // Consul starts the lock-delay when it invalidates the session, after the destroy was sent,
    // and grants the key no earlier than its end: the acquire resolves at least LOCK_DELAY_MS later.
    expect(waitedMs).toBeGreaterThanOrEqual(LOCK_DELAY_MS);
    // Every sample answered before that instant saw the old holder or nobody, never another one.
    const early = samples.filter((s) => s.answeredAt < destroySentAt + LOCK_DELAY_MS);
    expect(early.length).toBeGreaterThan(0);
    expect(
      early.filter((s) => s.error !== undefined || (s.value && s.value !== held.session)),
    ).toEqual([]);
    // One refused attempt (lock-delay), then a retry timed to its end: not a loop of retries.
    expect(txnRun.mock.calls.length).toBeLessThanOrEqual(3);
    expect(next.fencingToken).toBeGreaterThan(held.fencingToken);
    await next.release();
  });

  /** Ways a holder ends its hold; each resolves with the instant the hold was given up. */
  const endings: Record<string, (key: string) => Promise<number>> = {
    'release()': async (key) => {
      const held = await fx.client().lock(key, { lockDelay: '60s' }).acquire();
      const endedAt = performance.now();
      await held.release();
      return endedAt;
    },
    withLock: async (key) => {
      let endedAt = 0;
      await fx.client().withLock(key, () => (endedAt = performance.now()), { lockDelay: '60s' });
      return endedAt;
    },
    'election.stop()': async (key) => {
      const election = fx.client().leader(key, { lockDelay: '60s' }).start();
      await waitFor(() => election.isLeader, { timeout: 10_000 });
      const endedAt = performance.now();
      await election.stop();
      return endedAt;
    },
    "the client's close()": async (key) => {
      const client = fx.client();
      await client.lock(key, { lockDelay: '60s' }).acquire();
      const endedAt = performance.now();
      await client.close();
      return endedAt;
    },
  };

  it.each(Object.keys(endings))(
    '%s lets the next holder in without the lock-delay (it releases before destroying the session)',
    async (ending) => {
      // A 60 s lock-delay against a 30 s acquire timeout: had ending the hold started the delay,
      // the next acquire would time out.
      const key = `lock-basic/no-delay-${Object.keys(endings).indexOf(ending)}`;
      const next = fx.client().lock(key, { lockDelay: '0s' });
      const endedAt = await (endings[ending] as (key: string) => Promise<number>)(key);
      const held = await next.acquire({ timeout: '30s' });
      console.log(
        `${ending}: next holder in ${((performance.now() - endedAt) / 1000).toFixed(2)} s ` +
          '(previous holder: 60 s lock-delay; acquire timeout 30 s)',
      );
      expect(held.fencingToken).toBeGreaterThan(0);
      await held.release();
    },
  );

  it('ends a waiting acquire on client close and destroys its session before close resolves', async () => {
    const holder = fx.client();
    const held = await holder.lock('lock-basic/close', { lockDelay: '0s' }).acquire();
    const waiter = fx.client();
    const waiting = waiter.lock('lock-basic/close').acquire();
    await waitFor(async () => (await holder.session.list()).length === 2, { timeout: 5_000 });
    await waiter.close();
    await expect(waiting).rejects.toMatchObject({ reason: 'closed' });
    const left = await holder.session.list();
    expect(left.map((s) => s.id)).toEqual([held.session]);
    await held.release();
  });

  it('runs withLock and releases after a throw', async () => {
    const consul = fx.client();
    let seen: number | undefined;
    await expect(
      consul.withLock(
        'lock-basic/with',
        (signal, held) => {
          expect(signal.aborted).toBe(false);
          seen = held.fencingToken;
          throw new Error('boom');
        },
        { lockDelay: '0s' },
      ),
    ).rejects.toThrow('boom');
    expect(seen).toBeGreaterThan(0);
    expect((await consul.kv.get('lock-basic/with'))?.session).toBeUndefined();
    const result = await consul.withLock('lock-basic/with', () => 42, { timeout: '5s' });
    expect(result).toBe(42);
  });
});
