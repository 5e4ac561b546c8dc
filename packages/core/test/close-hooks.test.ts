import { type Consul } from '../src';
import { useAgent } from './support/agent';

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
});
