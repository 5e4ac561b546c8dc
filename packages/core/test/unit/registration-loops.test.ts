import { ConsulNotFoundError, ConsulUnavailableError, type HealthStatus } from '../../src';
import { Heartbeat, type HeartbeatHost } from '../../src/registration/heartbeat';
import { Reconciler, type ReconcilerHost } from '../../src/registration/reconciler';
import { jittered, pause } from '../../src/registration/timing';
import { type AgentServiceApi } from '../../src/endpoints/agent-service';

/** Resolves once `check()` holds, polling every 5 ms for at most 2 s. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('Heartbeat', () => {
  function host(overrides: Partial<HeartbeatHost> = {}) {
    const sent: Array<[string, HealthStatus, string | undefined]> = [];
    const h: HeartbeatHost & { sent: typeof sent; lost: jest.Mock; failed: jest.Mock } = {
      sent,
      update: async (id: string, status: HealthStatus, output: string | undefined) => {
        sent.push([id, status, output]);
      },
      lost: jest.fn(async () => undefined),
      failed: jest.fn(),
      active: () => true,
      ...overrides,
    } as never;
    return h;
  }

  it('beats every TTL check with the health report, then waits a period', async () => {
    const h = host();
    let status: HealthStatus = 'passing';
    const beat = new Heartbeat(['a', 'b'], 40, () => ({ status, output: status }), h);
    const stop = new AbortController();
    const running = beat.run(stop.signal);
    await until(() => h.sent.length >= 2);
    expect(h.sent.slice(0, 2)).toEqual([
      ['a', 'passing', 'passing'],
      ['b', 'passing', 'passing'],
    ]);
    status = 'critical';
    await until(() => h.sent.some(([, s]) => s === 'critical'));
    expect(beat.lastReport).toEqual({ status: 'critical', output: 'critical' });
    stop.abort();
    await running;
  });

  it('asks for a re-registration when the agent lost the check', async () => {
    let calls = 0;
    const h = host({
      update: async () => {
        calls++;
        if (calls === 1) throw new ConsulNotFoundError('unknown check', { status: 404 });
      },
    });
    const stop = new AbortController();
    const running = new Heartbeat(['a'], 30, undefined, h).run(stop.signal);
    await until(() => calls >= 2);
    expect(h.lost).toHaveBeenCalledTimes(1);
    expect(h.failed).not.toHaveBeenCalled();
    stop.abort();
    await running;
  });

  it('retries a failed beat quickly and counts the failures', async () => {
    let calls = 0;
    const h = host({
      update: async () => {
        calls++;
        if (calls <= 2) throw new ConsulUnavailableError('refused', {});
      },
    });
    const stop = new AbortController();
    // A 10 s period: only the quick retry can make the third call happen within the test.
    const running = new Heartbeat(['a'], 10_000, undefined, h).run(stop.signal);
    await until(() => calls >= 3);
    expect(h.failed.mock.calls.map(([, n]) => n)).toEqual([1, 2]);
    stop.abort();
    await running;
  });

  it('does not beat while inactive and beats at once on beatNow()', async () => {
    let active = false;
    const h = host({ active: () => active });
    const beat = new Heartbeat(['a'], 10_000, undefined, h);
    const stop = new AbortController();
    const running = beat.run(stop.signal);
    await new Promise((r) => setTimeout(r, 30));
    expect(h.sent).toEqual([]);
    active = true;
    beat.beatNow();
    await until(() => h.sent.length === 1);
    stop.abort();
    await running;
  });
});

describe('Reconciler', () => {
  it('blocks on the content hash and re-registers when the service is missing', async () => {
    const calls: Array<string | undefined> = [];
    let present = true;
    const read = jest.fn(async (_id: string, options: { hash?: string } = {}) => {
      calls.push(options.hash);
      if (options.hash !== undefined) await new Promise((r) => setTimeout(r, 10));
      return present ? { contentHash: 'h1' } : undefined;
    });
    const missing = jest.fn(async () => {
      present = true;
    });
    const host: ReconcilerHost = { missing, failed: jest.fn(), active: () => true };
    const stop = new AbortController();
    const running = new Reconciler('svc-1', read as unknown as AgentServiceApi, host).run(
      stop.signal,
    );
    await until(() => calls.length >= 2);
    expect(calls.slice(0, 2)).toEqual([undefined, 'h1']);
    present = false;
    await until(() => missing.mock.calls.length === 1);
    stop.abort();
    await running;
    expect(read.mock.calls[0]?.[0]).toBe('svc-1');
  });

  it('reports the first failure of an outage and keeps probing', async () => {
    let calls = 0;
    const read = async () => {
      calls++;
      if (calls <= 3) throw new ConsulUnavailableError('refused', {});
      return { contentHash: 'h' };
    };
    const failed = jest.fn();
    const host: ReconcilerHost = { missing: jest.fn(), failed, active: () => true };
    const stop = new AbortController();
    const running = new Reconciler('x', read as unknown as AgentServiceApi, host, 20).run(
      stop.signal,
    );
    await until(() => calls >= 4);
    expect(failed.mock.calls.map(([, n]) => n)).toEqual([1, 2, 3]);
    stop.abort();
    await running;
  });
});

describe('timing helpers', () => {
  it('jitters within ±10 % and pauses until aborted', async () => {
    expect(jittered(1000, 0.1, () => 0)).toBe(900);
    expect(jittered(1000, 0.1, () => 1)).toBe(1100);
    const stop = new AbortController();
    const paused = pause(60_000, stop.signal);
    stop.abort();
    await expect(paused).resolves.toBeUndefined();
  });
});
