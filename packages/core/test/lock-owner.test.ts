import { delay, uniqueName, waitFor } from '@consulkit/testing';
import { ConsulAbortedError, ConsulOptionError, type ConsulLockError } from '../src';
import { useAgent } from './support/agent';

describe('consul.lock(key, { signal }): a lock bound to its owner', () => {
  const fx = useAgent();

  it('rejects a pending acquire with ConsulAbortedError when the owner ends', async () => {
    const consul = fx.client();
    const key = `${uniqueName('owner')}/pending`;
    const theirs = await consul.lock(key, { lockDelay: '0s' }).acquire();
    const owner = new AbortController();
    const waiting = consul.lock(key, { signal: owner.signal }).acquire();
    const outcome = waiting.then(
      () => 'acquired',
      (err: unknown) => err,
    );
    await delay(200); // let the acquisition block on the key
    owner.abort(new Error('the app is closing'));
    const err = await outcome;
    expect(err).toBeInstanceOf(ConsulAbortedError);
    expect((err as ConsulAbortedError).cause).toEqual(new Error('the app is closing'));
    // The holder is untouched; the waiting lock's own session was destroyed.
    expect(theirs.signal.aborted).toBe(false);
    await waitFor(
      async () => (await consul.session.list()).map((s) => s.id),
      (ids) => ids.length === 1 && ids[0] === theirs.session,
    );
    await theirs.release();
  });

  it('releases a held lock when the owner ends', async () => {
    const consul = fx.client();
    const key = `${uniqueName('owner')}/held`;
    const owner = new AbortController();
    const held = await consul.lock(key, { signal: owner.signal }).acquire();
    expect((await consul.kv.get(key))?.session).toBe(held.session);
    owner.abort();
    expect(held.signal.aborted).toBe(true);
    expect((held.signal.reason as ConsulLockError).reason).toBe('released');
    await held.release(); // the same release, already under way
    expect((await consul.kv.get(key))?.session).toBeUndefined();
    expect(await consul.session.info(held.session)).toBeUndefined();
  });

  it("merges the owner signal with each acquire's own, and refuses a finished owner at once", async () => {
    const consul = fx.client();
    const key = `${uniqueName('owner')}/merged`;
    const theirs = await consul.lock(key, { lockDelay: '0s' }).acquire();
    const owner = new AbortController();
    const lock = consul.lock(key, { signal: owner.signal });
    const call = new AbortController();
    const waiting = lock.acquire({ signal: call.signal });
    setTimeout(() => call.abort(), 100);
    await expect(waiting).rejects.toBeInstanceOf(ConsulAbortedError);
    // The owner lives on: the same lock can acquire once the key is free.
    await theirs.release();
    const held = await lock.acquire({ timeout: '5s' });
    expect((await consul.kv.get(key))?.session).toBe(held.session);
    await held.release();

    owner.abort();
    await expect(lock.acquire()).rejects.toBeInstanceOf(ConsulAbortedError);
    expect(() => consul.lock(key, { signal: 'soon' as never })).toThrow(ConsulOptionError);
  });
});

describe('lock.tryAcquire()', () => {
  const fx = useAgent();

  it('takes a free lock, and answers undefined at once for a held one, creating no session', async () => {
    const consul = fx.client();
    const key = `${uniqueName('try')}/key`;
    const mine = await consul.lock(key, { lockDelay: '0s' }).tryAcquire();
    expect(mine).toBeDefined();
    expect((await consul.kv.get(key))?.session).toBe(mine?.session);

    const sessionsBefore = (await consul.session.list()).length;
    // No timeout: were it waiting for the holder, this would never resolve.
    expect(await consul.lock(key).tryAcquire()).toBeUndefined();
    expect((await consul.session.list()).length).toBe(sessionsBefore);

    await mine?.release();
    const next = await consul.lock(key).tryAcquire({ timeout: '5s' });
    expect(next?.fencingToken).toBeGreaterThan(mine?.fencingToken ?? Infinity);
    await next?.release();
  });

  it('keeps the misuse errors of acquire()', async () => {
    const consul = fx.client();
    const key = `${uniqueName('try')}/misuse`;
    const lock = consul.lock(key);
    const held = await lock.tryAcquire();
    await expect(lock.tryAcquire()).rejects.toMatchObject({ reason: 'held' });
    await held?.release();
    await consul.kv.put(`${key}-data`, 'plain value');
    await expect(consul.lock(`${key}-data`).tryAcquire()).rejects.toMatchObject({
      reason: 'conflict',
    });
  });

  it('lets exactly one of many concurrent tries win', async () => {
    const consul = fx.client();
    const key = `${uniqueName('try')}/race`;
    const results = await Promise.all(
      Array.from({ length: 5 }, () => consul.lock(key, { lockDelay: '0s' }).tryAcquire()),
    );
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect((await consul.kv.get(key))?.session).toBe(winners[0]?.session);
    await winners[0]?.release();
    // The losers' sessions are gone too.
    await waitFor(
      async () => (await consul.session.list()).length,
      (n) => n === 0,
    );
  });
});
