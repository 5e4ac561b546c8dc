import { type Consul } from '../src';
import { useAgent } from './support/agent';
import { waitFor } from './support/coordination';

/** Counts the closers registered on `consul` and still registered (added minus removed). */
function trackClosers(consul: Consul): () => number {
  let live = 0;
  const onClose = consul.onClose.bind(consul);
  jest.spyOn(consul, 'onClose').mockImplementation((closer) => {
    live += 1;
    const off = onClose(closer);
    let removed = false;
    return () => {
      if (!removed) live -= 1;
      removed = true;
      off();
    };
  });
  return () => live;
}

describe('recipes closed on their own leave the client close list', () => {
  const fx = useAgent();

  it('consul.http(): a closed ServiceClient unregisters its closer', async () => {
    const consul = fx.client();
    const live = trackClosers(consul);
    const clients = Array.from({ length: 3 }, (_, i) => consul.http(`users-${i}`));
    expect(live()).toBe(3);
    await Promise.all(clients.map((c) => c.close()));
    expect(live()).toBe(0);
    await consul.close();
    expect(clients.every((c) => c.closed)).toBe(true);
  });

  it('consul.interceptor(): a closed interceptor unregisters its closer', () => {
    const consul = fx.client();
    const live = trackClosers(consul);
    const interceptor = consul.interceptor();
    expect(live()).toBe(1);
    interceptor.close();
    interceptor.close();
    expect(live()).toBe(0);
  });

  it('still closes the recipes left open with the client', async () => {
    const consul = fx.client();
    const users = consul.http('users');
    const store = consul.config({ prefix: 'close-hooks/', optional: true });
    await consul.close();
    expect(users.closed).toBe(true);
    expect(store.closed).toBe(true);
  });

  it('a client closed right after an unawaited release or stop still waits for it', async () => {
    const owner = fx.client();
    const observer = fx.client();
    const election = owner.leader('close-hooks/leader', { livenessCheck: false }).start();
    const held = await owner.lock('close-hooks/lock').acquire();
    for (let i = 0; i < 200 && !election.isLeader; i++) await new Promise((r) => setTimeout(r, 25));
    expect(election.isLeader).toBe(true);
    // Shutting down: nobody awaits these, then the client closes.
    void election.stop();
    void held.release();
    await owner.close();
    expect((await observer.kv.get('close-hooks/leader'))?.session).toBeUndefined();
    expect((await observer.kv.get('close-hooks/lock'))?.session).toBeUndefined();
    expect(await observer.session.list()).toEqual([]);
  });

  it('a client closed right after an unawaited stop() waits for a campaign that has just won', async () => {
    const owner = fx.client();
    const observer = fx.client();
    const key = 'close-hooks/leader-won';
    const election = owner.leader(key, { livenessCheck: false });
    const revoked: string[] = [];
    election.on('revoked', (err) => revoked.push(err.reason));
    let won: string | undefined;
    let closing: Promise<void> | undefined;
    // The instant under test: the campaign's acquiring transaction has just won the key and the
    // lock code has not resumed yet, so neither the attempt's close hook (about to be dropped) nor
    // the held lock's (not yet registered) covers the release to come: only the election's own
    // hook does. A pass-through wrapper around the real call (the agent answers it) stops the
    // election and closes the client right there, as shutdown code running in that tick would.
    const run = owner.txn.run.bind(owner.txn);
    jest.spyOn(owner.txn, 'run').mockImplementation(async (ops, options) => {
      const answer = await run(ops, options);
      const session = answer.results.find((entry) => entry.key === key)?.session;
      if (session !== undefined && closing === undefined) {
        won = session;
        void election.stop();
        closing = owner.close();
      }
      return answer;
    });
    election.start();
    await waitFor(() => closing !== undefined, {
      timeout: 10_000,
      what: 'the campaign winning the key',
    });
    await closing;
    // close() waited for the leadership to be given up while its pools were still open.
    expect(revoked).toEqual(['released']);
    expect(election.running).toBe(false);
    expect((await observer.kv.get(key))?.session).toBeUndefined();
    expect(await observer.session.info(won as string)).toBeUndefined();
  });
});
