import { Agent } from 'undici';
import { type ConsulLockError, LIVENESS_SERVICE_NAME, silentLogger } from '../src';
import { useAgent } from './support/agent';
import { waitFor } from './support/coordination';
import { unique as uniqueName } from './support/endpoints-helpers';

/** Timers count from the event loop's cached clock, which may lag `performance.now()` slightly. */
const TIMER_SLACK_MS = 50;

/** Leader election claims of the core README ("Leader election", "Liveness check"). */
describe('leader election: revocation, resignation, liveness check', () => {
  const fx = useAgent();

  it('revokes a leader whose bound service check turns critical (session-invalidated); a healthy candidate wins', async () => {
    const consul = fx.client({ logger: silentLogger });
    const key = `revoke/${uniqueName('k')}`;
    let healthy = true;
    const sick = consul.register(
      { name: uniqueName('sick'), port: 9, address: '127.0.0.1' },
      { health: () => healthy },
    );
    await sick.registered;
    const a = consul.leader(key, { serviceChecks: sick.checkIds, lockDelay: '0s' });
    const revoked: ConsulLockError[] = [];
    a.on('revoked', (err) => revoked.push(err));
    a.start();
    await waitFor(() => a.isLeader, { timeout: 10_000 });
    const b = fx.client({ logger: silentLogger }).leader(key, { lockDelay: '0s' }).start();
    await waitFor(async () => (await b.leader())?.session === a.leadership?.session);

    healthy = false;
    sick.beatNow();
    await waitFor(() => revoked.length > 0, { timeout: 10_000 });
    expect(revoked[0]).toMatchObject({ reason: 'session-invalidated', lost: true });
    // A campaigns again, but cannot create a session bound to a critical check: B wins.
    await waitFor(() => b.isLeader, { timeout: 10_000 });
    expect(a.isLeader).toBe(false);
    await Promise.all([a.stop(), b.stop()]);
    await sick.deregister();
  });

  it('resign() gives leadership up and campaigns again only after a second', async () => {
    const election = fx.client().leader(`resign/${uniqueName('k')}`, { lockDelay: '0s' });
    const elected: number[] = [];
    election.on('elected', () => elected.push(performance.now()));
    election.start();
    await waitFor(() => election.isLeader, { timeout: 10_000 });
    const resignedAt = performance.now();
    await election.resign();
    expect(election.isLeader).toBe(false);
    // Alone in the election, it wins again: not before its one-second pause.
    await waitFor(() => elected.length === 2, { timeout: 10_000 });
    const againMs = (elected[1] as number) - resignedAt;
    console.log(`resign(): elected again ${againMs.toFixed(0)} ms later (pause 1 s)`);
    expect(againMs).toBeGreaterThanOrEqual(1_000 - TIMER_SLACK_MS);
    await election.stop();
  });

  it('registers the liveness check passing, with DeregisterCriticalServiceAfter 1m', async () => {
    // What the agent was sent (1.8 does not show a TTL check's definition back).
    const agent = new Agent();
    const registrations: string[] = [];
    const dispatcher = agent.compose((dispatch) => (options, handler) => {
      if (options.path.startsWith('/v1/agent/service/register')) {
        registrations.push(String(options.body));
      }
      return dispatch(options, handler);
    });
    const consul = fx.client({ dispatcher });
    const election = consul.leader(`liveness/${uniqueName('k')}`, { ttl: '10s', lockDelay: '0s' });
    election.start();
    await waitFor(() => election.isLeader, { timeout: 10_000 });
    const session = await consul.session.info(election.leadership?.session as string);
    const checkId = session?.serviceChecks[0]?.id as string;
    expect(checkId.startsWith(LIVENESS_SERVICE_NAME)).toBe(true);
    expect((await consul.agent.checks())[checkId]?.status).toBe('passing');
    const sent = registrations.map(
      (body) => JSON.parse(body) as { Check?: Record<string, unknown> },
    );
    expect(sent).toEqual([
      expect.objectContaining({
        Name: LIVENESS_SERVICE_NAME,
        Check: expect.objectContaining({
          CheckID: checkId,
          TTL: '9s',
          Status: 'passing',
          DeregisterCriticalServiceAfter: '1m',
        }),
      }),
    ]);
    await election.stop();
    await agent.close();
  });
});
