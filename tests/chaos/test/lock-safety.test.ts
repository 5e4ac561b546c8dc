import { type Consul } from '@consulkit/core';
import { useAgent } from '../support/agent';
import { killChildren, startChild, startNodeChild, supportScript } from '../support/children';
import { uniqueName } from '../support/diagnostics';
import { type FencedResource, startFencedResource } from '../support/fenced-resource';
import { MODE, scale } from '../support/mode';
import { delay, waitFor } from '../support/wait';

jest.setTimeout(scale(240_000, 480_000));

const OURS = scale(3, 4);
const CLI = scale(2, 1);
const ROUNDS = scale(12, 200);

/** POSTs one fenced call to the resource; resolves with the HTTP status. */
async function call(resource: FencedResource, path: string): Promise<number> {
  const res = await fetch(`${resource.url}${path}`, { method: 'POST' });
  await res.arrayBuffer();
  return res.status;
}

describe('chaos: lock safety', () => {
  const fx = useAgent();
  let resource: FencedResource;
  beforeAll(async () => {
    resource = await startFencedResource();
  });
  afterAll(async () => {
    await killChildren();
    await resource.close();
  });

  it(`${OURS + CLI} contenders (our Lock and \`consul lock\`) × ${ROUNDS} rounds: no overlap, no stale token`, async () => {
    const bin = process.env.CONSUL_BIN;
    if (!bin) throw new Error('CONSUL_BIN is not set (the jest global setup provides it)');
    const prefix = uniqueName('chaos-lock');
    const lockKey = `${prefix}/.lock`;
    const address = fx.agent.address;
    const failures: string[] = [];
    const started = performance.now();

    const ours = async (who: string, consul: Consul) => {
      const lock = consul.lock(prefix, { goCompatible: true, ttl: '10s', lockDelay: '1s' });
      for (let round = 0; round < ROUNDS; round++) {
        const held = await lock.acquire({ timeout: '120s' });
        try {
          if (held.signal.aborted) throw new Error(`${who}: lost before entering`);
          const q = `who=${who}&token=${held.fencingToken}`;
          const status = await call(resource, `/enter?${q}`);
          await delay(2 + Math.random() * 8);
          await call(resource, `/leave?${q}`);
          if (status !== 200) failures.push(`${who} round ${round}: refused (${status})`);
        } finally {
          await held.release();
        }
      }
    };
    const cli = async (who: string) => {
      const command = [
        process.execPath,
        supportScript('cli-holder.js'),
        address,
        lockKey,
        resource.url,
        who,
      ].join(' ');
      for (let round = 0; round < ROUNDS; round++) {
        const child = startChild(bin, [
          'lock',
          `-http-addr=${address}`,
          '-timeout=120s',
          '-child-exit-code',
          prefix,
          command,
        ]);
        const exit = await child.exited;
        if (exit.code !== 0) {
          failures.push(
            `${who} round ${round}: consul lock exited ${exit.code}: ${child.stderr().slice(-300)}`,
          );
        }
      }
    };

    await Promise.all([
      ...Array.from({ length: OURS }, (_, i) => ours(`ours${i}`, fx.client())),
      ...Array.from({ length: CLI }, (_, i) => cli(`cli${i}`)),
    ]);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const enters = resource.calls.filter((c) => c.kind === 'enter');
    const byWho = new Map<string, number>();
    for (const e of enters) byWho.set(e.who, (byWho.get(e.who) ?? 0) + 1);
    console.log(
      `[chaos] lock-safety (${MODE}): contenders=${OURS}+${CLI}cli rounds=${ROUNDS} ` +
        `sections=${resource.count} overlaps=${resource.overlaps} stale=${resource.stale} ` +
        `failures=${failures.length} per-contender=${JSON.stringify(Object.fromEntries(byWho))} ` +
        `time=${seconds}s`,
    );
    expect(failures).toEqual([]);
    expect(resource.overlaps).toBe(0);
    expect(resource.stale).toBe(0);
    expect(resource.count).toBe((OURS + CLI) * ROUNDS);
    const tokens = enters.map((e) => e.token);
    expect(tokens.every((t, i) => i === 0 || t > (tokens[i - 1] as number))).toBe(true);
  });

  it('a holder paused past its TTL (SIGSTOP) sees the loss on resume before writing with its stale token', async () => {
    const prefix = uniqueName('chaos-pause');
    const child = startNodeChild(supportScript('lock-holder-child.js'), [
      fx.agent.address,
      prefix,
      resource.url,
    ]);
    const acquired = await child.next((e) => e.event === 'acquired', 60_000, 'acquired');
    await child.next((e) => e.event === 'write', 30_000, 'a first write');
    const childToken = acquired.token as number;

    child.signal('SIGSTOP');
    const stoppedAt = performance.now();
    // The server expires the paused holder's session (TTL 10 s, Consul allows up to 2×), waits
    // out its 1 s lock-delay, and we take the lock and write with a newer token.
    const consul = fx.client();
    const held = await consul
      .lock(prefix, { goCompatible: true, ttl: '10s', lockDelay: '1s' })
      .acquire({ timeout: '90s' });
    const takenMs = Math.round(performance.now() - stoppedAt);
    expect(held.fencingToken).toBeGreaterThan(childToken);
    expect(await call(resource, `/write?who=successor&token=${held.fencingToken}`)).toBe(200);

    // Child events carry the child's Date.now(): those stamped after this instant came after resume.
    const resumedAt = Date.now();
    child.signal('SIGCONT');
    const lost = await child.next(
      (e) => e.event === 'lost',
      30_000,
      'the loss reported after SIGCONT',
    );
    await child.next((e) => e.event === 'stopped', 30_000, 'the writer stopping');
    const after = child.events.filter((e) => (e.t as number) >= resumedAt);
    const writesAfterResume = after.filter((e) => e.event === 'write');
    const childWrites = resource.calls.filter((c) => c.kind === 'write' && c.who === 'child');
    const staleAttempts = childWrites.filter((c) => c.token < held.fencingToken && !c.accepted);
    console.log(
      `[chaos] lock-pause (${MODE}): child token=${childToken} successor token=${held.fencingToken} ` +
        `taken-over=${takenMs}ms after SIGSTOP lost-reason=${String(lost.reason)} ` +
        `lost-after-resume=${(lost.t as number) - resumedAt}ms ` +
        `events-after-resume=${after.map((e) => e.event).join(',')} ` +
        `stale-write-attempts=${staleAttempts.length}`,
    );
    expect(after[0]?.event).toBe('lost');
    expect(writesAfterResume).toEqual([]);
    expect(staleAttempts).toEqual([]);
    expect([
      'renewal-lapsed',
      'monitor-unreachable',
      'session-invalidated',
      'key-taken',
      'session-expired',
    ]).toContain(lost.reason);
    await held.release();
    await waitFor(() => !child.running, { timeout: 15_000, what: 'the child exiting' });
  });
});
