import { type ConsulLockError, type HeldLock } from '../src';
import { useAgent } from './support/agent';
import { waitFor } from './support/coordination';

describe('consul.leader', () => {
  const fx = useAgent();

  it('elects one candidate, hands over on stop, and reports who leads', async () => {
    const a = fx.client().leader('leader/basic', { lockDelay: '0s', value: 'node-a' });
    const b = fx.client().leader('leader/basic', { lockDelay: '0s', value: 'node-b' });
    const events: string[] = [];
    a.on('elected', () => events.push('a elected'));
    a.on('revoked', (err) => events.push(`a revoked ${err.reason}`));
    b.on('elected', () => events.push('b elected'));

    a.start();
    await waitFor(() => a.isLeader, { timeout: 5_000 });
    b.start();
    await waitFor(async () => (await b.leader())?.value === 'node-a', { timeout: 5_000 });
    expect(b.isLeader).toBe(false);
    const first = a.leadership as HeldLock;

    await a.stop();
    expect(a.isLeader).toBe(false);
    expect(first.signal.aborted).toBe(true);
    await waitFor(() => b.isLeader, { timeout: 5_000 });
    expect((b.leadership as HeldLock).fencingToken).toBeGreaterThan(first.fencingToken);
    expect((await a.leader())?.value).toBe('node-b');
    // a's `revoked` is emitted once its release completed; b may win the key just before that.
    expect(events[0]).toBe('a elected');
    expect([...events.slice(1)].sort()).toEqual(['a revoked released', 'b elected']);
    await b.stop();
    expect(await b.leader()).toBeUndefined();
  });

  it('campaigns again after losing leadership', async () => {
    const consul = fx.client();
    const election = consul.leader('leader/recampaign', { lockDelay: '0s' });
    const revoked: ConsulLockError[] = [];
    const tokens: number[] = [];
    election.on('revoked', (err) => revoked.push(err));
    election.on('elected', (held) => tokens.push(held.fencingToken));
    election.start();
    await waitFor(() => election.isLeader, { timeout: 5_000 });
    const lost = election.leadership as HeldLock;

    await consul.session.destroy(lost.session);
    await waitFor(() => revoked.length === 1, { timeout: 5_000, interval: 10 });
    expect(revoked[0]?.reason).toBe('session-invalidated');
    expect(revoked[0]?.lost).toBe(true);

    // A fresh session wins the key again.
    await waitFor(() => election.isLeader, { timeout: 10_000 });
    expect(election.leadership?.session).not.toBe(lost.session);
    expect(tokens[1]).toBeGreaterThan(tokens[0] as number);
    await election.stop();
  });

  it('resigns and lets another candidate win', async () => {
    const a = fx.client().leader('leader/resign', { lockDelay: '0s' });
    const b = fx.client().leader('leader/resign', { lockDelay: '0s' });
    a.start();
    await waitFor(() => a.isLeader, { timeout: 5_000 });
    b.start();
    await a.resign();
    await waitFor(() => b.isLeader, { timeout: 5_000 });
    expect(a.isLeader).toBe(false);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('stops campaigning when the client closes', async () => {
    const consul = fx.client();
    const election = consul.leader('leader/close', { lockDelay: '0s' }).start();
    await waitFor(() => election.isLeader, { timeout: 5_000 });
    const session = election.leadership?.session as string;
    await consul.close();
    expect(election.isLeader).toBe(false);
    expect(election.running).toBe(false);
    const observer = fx.client();
    expect(await observer.session.info(session)).toBeUndefined();
    expect((await observer.kv.get('leader/close'))?.session).toBeUndefined();
  });
});
