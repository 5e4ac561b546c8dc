import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { type LeaderElection } from '../src';
import { useAgent } from './support/agent';
import { waitFor } from './support/coordination';

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

  constructor(address: string, key: string, checkId?: string) {
    this.child = spawn(
      process.execPath,
      [
        path.join(__dirname, 'support', 'leader-child.js'),
        address,
        key,
        `${TTL_MS}ms`,
        `${LOCK_DELAY_MS}ms`,
        ...(checkId ? [checkId] : []),
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
  async function childLeads(key: string, checkId?: string) {
    const child = new ChildCandidate(fx.agent.address, key, checkId);
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

  it('hands over when the leader process is killed (SIGKILL): after its session lapses on the server', async () => {
    const { child, leader, candidate, electedAt } = await childLeads('handover/kill');
    const killedAt = performance.now();
    child.kill('SIGKILL');
    await child.exited;
    // Nobody can release for a killed process: the server invalidates its session between TTL and
    // 2×TTL after the last renewal (SES-4), then the lock-delay runs.
    await waitFor(() => candidate.isLeader, {
      timeout: 2 * TTL_MS + LOCK_DELAY_MS + 5_000,
      interval: 20,
    });
    const handoverMs = (electedAt() as number) - killedAt;
    console.log(
      `leader handover after SIGKILL: ${(handoverMs / 1000).toFixed(2)} s ` +
        `(TTL ${TTL_MS / 1000} s, lock-delay ${LOCK_DELAY_MS / 1000} s; server bound 2×TTL + lock-delay)`,
    );
    expect(candidate.leadership?.fencingToken).toBeGreaterThan(leader.token as number);
  }, 60_000);

  it('hands over within check TTL + lock-delay when a killed leader was bound to a heartbeat check', async () => {
    const { child, leader, candidate, electedAt } = await childLeads(
      'handover/check',
      'leader-heartbeat',
    );
    const killedAt = performance.now();
    child.kill('SIGKILL');
    await child.exited;
    // The child's 2 s TTL check goes critical, Consul invalidates the bound session, the lock-delay
    // runs: far sooner than the session's own server-side expiry.
    await waitFor(() => candidate.isLeader, { timeout: TTL_MS + LOCK_DELAY_MS, interval: 20 });
    const handoverMs = (electedAt() as number) - killedAt;
    console.log(
      `leader handover after SIGKILL with a 2 s heartbeat check bound: ${(handoverMs / 1000).toFixed(2)} s ` +
        `(session TTL ${TTL_MS / 1000} s, lock-delay ${LOCK_DELAY_MS / 1000} s)`,
    );
    expect(candidate.leadership?.fencingToken).toBeGreaterThan(leader.token as number);
    await fx.client().agent.check.deregister('leader-heartbeat');
  }, 60_000);

  it("elects a new leader within the lock-delay when the leader's session is destroyed", async () => {
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
