import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { LIVENESS_SERVICE_NAME, type LeaderElection } from '../src';
import { useAgent } from './support/agent';
import { waitFor } from './support/coordination';
import { type Sample, sampleUntil } from './support/samples';

const TTL_MS = 10_000;
const LOCK_DELAY_MS = 2_000;

interface ChildEvent {
  event: string;
  session?: string;
  token?: number;
  reason?: string;
}

/** A leader candidate in its own process (support/leader-child.js). */
class ChildCandidate {
  readonly events: ChildEvent[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(address: string, key: string, liveness = true) {
    this.child = spawn(
      process.execPath,
      [
        path.join(__dirname, 'support', 'leader-child.js'),
        address,
        key,
        `${TTL_MS}ms`,
        `${LOCK_DELAY_MS}ms`,
        ...(liveness ? [] : ['--no-liveness']),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let buffer = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.events.push(JSON.parse(line) as ChildEvent);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  elected(): ChildEvent | undefined {
    return this.events.find((e) => e.event === 'elected');
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/**
 * The latest instant a sample still saw the session: Consul invalidated it after that instant, so
 * its lock-delay ended no earlier than this plus the lock-delay.
 */
function lastSeenAlive(samples: Array<Sample<unknown>>): number | undefined {
  const alive = samples.filter((s) => s.value !== undefined);
  return alive.length > 0 ? Math.max(...alive.map((s) => s.sentAt)) : undefined;
}

describe('leader handover between processes', () => {
  const fx = useAgent();
  const children: ChildCandidate[] = [];
  const elections: LeaderElection[] = [];

  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      await child.exited;
    }
    await Promise.all(elections.splice(0).map((e) => e.stop()));
  });

  /** Starts a child leader on `key` and an in-process candidate waiting behind it. */
  async function childLeads(key: string, liveness = true) {
    const child = new ChildCandidate(fx.agent.address, key, liveness);
    children.push(child);
    const leader = await waitFor(() => child.elected(), { timeout: 20_000 });
    const candidate = fx
      .client()
      .leader(key, { ttl: `${TTL_MS}ms`, lockDelay: `${LOCK_DELAY_MS}ms` });
    elections.push(candidate);
    let electedAt: number | undefined;
    candidate.on('elected', () => (electedAt ??= performance.now()));
    candidate.start();
    // The candidate is waiting: the key names the child's session.
    await waitFor(async () => (await candidate.leader())?.session === leader.session, {
      timeout: 5_000,
    });
    expect(candidate.isLeader).toBe(false);
    return { child, leader, candidate, electedAt: () => electedAt };
  }

  it('hands over within TTL + lock-delay, never before the lock-delay, when the leader process is killed (SIGKILL): its liveness check turns critical', async () => {
    const { child, leader, candidate, electedAt } = await childLeads('handover/kill');
    const consul = fx.client();
    // The child's session is bound to the liveness check of its own `consulkit-session` service.
    const bound = (await consul.session.info(leader.session as string))?.serviceChecks ?? [];
    const checkId = bound.map((c) => c.id).find((id) => id.startsWith(LIVENESS_SERVICE_NAME));
    expect(checkId).toBeDefined();
    const killedAt = performance.now();
    child.kill('SIGKILL');
    await child.exited;
    const sessionSeen = sampleUntil(
      () => consul.session.info(leader.session as string),
      () => candidate.isLeader,
    );
    // Nobody passes the check any more: it turns critical at most 0.9×TTL after its last pass (the
    // check's TTL is a tenth shorter, so the agent's sync, our blocking read waking up and the
    // acquire transaction fit), Consul invalidates the bound session at once, then the lock-delay
    // runs: the acceptance bound, TTL + lock-delay, holds.
    await waitFor(() => candidate.isLeader, {
      timeout: TTL_MS + LOCK_DELAY_MS,
      interval: 20,
    });
    const aliveAt = lastSeenAlive(await sessionSeen);
    const handoverMs = (electedAt() as number) - killedAt;
    console.log(
      `leader handover after SIGKILL (liveness check): ${(handoverMs / 1000).toFixed(2)} s ` +
        `(TTL ${TTL_MS / 1000} s, lock-delay ${LOCK_DELAY_MS / 1000} s; bound TTL + lock-delay); ` +
        `elected ${(((electedAt() as number) - (aliveAt as number)) / 1000).toFixed(2)} s after the session was last seen`,
    );
    // Never before the lock-delay: elected at least LOCK_DELAY_MS after the session was last seen.
    expect(aliveAt).toBeDefined();
    expect((electedAt() as number) - (aliveAt as number)).toBeGreaterThanOrEqual(LOCK_DELAY_MS);
    expect(candidate.leadership?.fencingToken).toBeGreaterThan(leader.token as number);
    const checks = await consul.health.checks(LIVENESS_SERVICE_NAME);
    expect(checks.find((c) => c.checkId === checkId)?.status).toBe('critical');
    expect(await consul.session.info(leader.session as string)).toBeUndefined();
  }, 60_000);

  it('without the liveness check, a killed leader hands over only once Consul expires its session (up to 2×TTL)', async () => {
    const { child, leader, candidate, electedAt } = await childLeads('handover/unbound', false);
    const bound = (await fx.client().session.info(leader.session as string))?.serviceChecks;
    expect(bound).toEqual([]);
    const killedAt = performance.now();
    child.kill('SIGKILL');
    await child.exited;
    const consul = fx.client();
    const sessionSeen = sampleUntil(
      () => consul.session.info(leader.session as string),
      () => candidate.isLeader,
    );
    // Nobody can release for a killed process: the server invalidates its session between TTL and
    // 2×TTL after the last renewal (SES-4), then the lock-delay runs.
    await waitFor(() => candidate.isLeader, {
      timeout: 2 * TTL_MS + LOCK_DELAY_MS + 5_000,
      interval: 20,
    });
    const aliveAt = lastSeenAlive(await sessionSeen);
    const handoverMs = (electedAt() as number) - killedAt;
    console.log(
      `leader handover after SIGKILL without the liveness check: ${(handoverMs / 1000).toFixed(2)} s ` +
        `(TTL ${TTL_MS / 1000} s, lock-delay ${LOCK_DELAY_MS / 1000} s; server bound 2×TTL + lock-delay); ` +
        `session last seen ${(((aliveAt as number) - killedAt) / 1000).toFixed(2)} s after the kill`,
    );
    // The lock-delay comes on top of the expiry: elected at least LOCK_DELAY_MS after the session
    // was last seen.
    expect(aliveAt).toBeDefined();
    expect((electedAt() as number) - (aliveAt as number)).toBeGreaterThanOrEqual(LOCK_DELAY_MS);
    expect(candidate.leadership?.fencingToken).toBeGreaterThan(leader.token as number);
  }, 60_000);

  it("elects a new leader when the leader's session is destroyed, never before the lock-delay has passed", async () => {
    const { child, leader, candidate, electedAt } = await childLeads('handover/destroy');
    const consul = fx.client();
    const destroyedAt = performance.now();
    await consul.session.destroy(leader.session as string);
    // The old leader notices and gives up (its signal aborts with the reason)...
    await waitFor(() => child.events.some((e) => e.event === 'revoked'), { timeout: 5_000 });
    expect(child.events.find((e) => e.event === 'revoked')?.reason).toBe('session-invalidated');
    // ...and both processes campaign again with fresh sessions once the lock-delay is over: one wins.
    const winner = await waitFor(
      async () => {
        const now = await candidate.leader();
        return now && now.session !== leader.session ? now : undefined;
      },
      { timeout: TTL_MS + LOCK_DELAY_MS, interval: 20 },
    );
    const newLeaderSeenMs = performance.now() - destroyedAt;
    // The lock-delay started when Consul invalidated the session, after the destroy was sent: no
    // one (not even the same process with a new session) holds the key before it has passed.
    expect(newLeaderSeenMs).toBeGreaterThanOrEqual(LOCK_DELAY_MS);
    const childAgain = () => child.events.filter((e) => e.event === 'elected').length === 2;
    await waitFor(() => candidate.isLeader || childAgain(), { timeout: 5_000 });
    // Exactly one of them leads, under the new session.
    expect(candidate.isLeader).not.toBe(childAgain());
    const newToken = candidate.isLeader
      ? (candidate.leadership?.fencingToken as number)
      : (child.events.filter((e) => e.event === 'elected')[1]?.token as number);
    expect(newToken).toBeGreaterThan(leader.token as number);
    console.log(
      `new leader after session destroy: ${candidate.isLeader ? 'the other process' : 'the same process, new session'}, ` +
        `seen after ${(newLeaderSeenMs / 1000).toFixed(2)} s` +
        (candidate.isLeader
          ? ` (elected ${(((electedAt() as number) - destroyedAt) / 1000).toFixed(2)} s)`
          : '') +
        ` (lock-delay ${LOCK_DELAY_MS / 1000} s); winner session ${winner.session.slice(0, 8)}`,
    );
  }, 60_000);

  it('hands over at once when the leader process stops gracefully (SIGTERM releases)', async () => {
    const { child, leader, candidate, electedAt } = await childLeads('handover/term');
    const stoppedAt = performance.now();
    child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    await waitFor(() => candidate.isLeader, { timeout: 5_000, interval: 20 });
    const handoverMs = (electedAt() as number) - stoppedAt;
    console.log(`leader handover after SIGTERM (release): ${(handoverMs / 1000).toFixed(2)} s`);
    expect(candidate.leadership?.fencingToken).toBeGreaterThan(leader.token as number);
    // The child destroyed its session on the way out.
    expect(await fx.client().session.info(leader.session as string)).toBeUndefined();
  }, 60_000);
});
