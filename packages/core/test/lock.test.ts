import { type ConsulLockError } from '../src';
import { LOCK_FLAG_VALUE, SEMAPHORE_FLAG_VALUE } from '../src/coordination/constants';
import { useAgent } from './support/agent';
import { delay, waitFor } from './support/coordination';

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

  it('waits out a lock-delay after the holder is invalidated, without hot-looping', async () => {
    const consul = fx.client();
    const held = await consul.lock('lock-basic/delay', { lockDelay: '2s' }).acquire();
    const contender = fx.client();
    const txnRun = jest.spyOn(contender.txn, 'run');
    const waiting = contender
      .lock('lock-basic/delay', { lockDelay: '0s' })
      .acquire({ timeout: '20s' });
    await waitFor(async () => (await consul.kv.get('lock-basic/delay'))?.session === held.session);
    await delay(200); // let the contender block on the key
    const destroyedAt = performance.now();
    await consul.session.destroy(held.session);
    const next = await waiting;
    const waitedMs = performance.now() - destroyedAt;
    console.log(
      `acquire after invalidation with a 2 s lock-delay: ${(waitedMs / 1000).toFixed(2)} s, ` +
        `${txnRun.mock.calls.length} acquire transactions`,
    );
    // One refused attempt (lock-delay), then a retry timed to its end: not a loop of retries.
    expect(txnRun.mock.calls.length).toBeLessThanOrEqual(3);
    expect(next.fencingToken).toBeGreaterThan(held.fencingToken);
    await next.release();
  });

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
