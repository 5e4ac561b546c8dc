import { withNoUnhandledRejections } from '@consulkit/testing';
import { type ConsulLogger, type KvEntry, type Watch, type WatchErrorInfo } from '../src';
import { useAgent } from './support/agent';

/** Polls `probe` until it is truthy, at most `timeout` ms (bounded). */
async function waitFor(probe: () => unknown, what: string, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function record<T>(watch: Watch<T>): T[] {
  const seen: T[] = [];
  watch.on('change', (value) => seen.push(value));
  return seen;
}

/** A logger that keeps what it is told. */
function capture(): ConsulLogger & { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    warnings,
    errors,
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => warnings.push(message),
    error: (message) => errors.push(message),
  };
}

const valueOf = (e: KvEntry | undefined) => e?.value;

// Agent restarts and long polls take seconds; every wait below is bounded on its own.
jest.setTimeout(60_000);

describe('watch across an agent restart (index goes backwards)', () => {
  const fx = useAgent();

  it('re-syncs and sees an update written right after the restart', async () => {
    const consul = fx.client();
    // Push the index well above where a fresh dev agent will be after its restart.
    for (let i = 0; i < 30; i++) await consul.kv.put(`restart/filler-${i}`, String(i));
    await consul.kv.put('restart/key', 'before');
    const watch = consul.watchKey('restart/key', {
      wait: '2s',
      minInterval: 0,
      backoff: { min: 50, max: 500 },
    });
    const seen = record(watch);
    const errors: Error[] = [];
    watch.on('error', (err) => errors.push(err));
    await watch.ready();
    const heldIndex = watch.stats.index;
    expect(heldIndex).toBeGreaterThan(30);

    await fx.agent.restart(); // a -dev agent: all state gone, index restarts low
    await consul.kv.put('restart/key', 'after');

    await waitFor(() => watch.current?.value === 'after', 'the update written after the restart');
    expect(seen[0]?.value).toBe('before');
    expect(seen.at(-1)?.value).toBe('after');
    expect(seen.filter((e) => e?.value === 'after')).toHaveLength(1);
    // Only "before", possibly the wiped state (undefined), then "after".
    expect(seen.map(valueOf).every((v) => v === 'before' || v === 'after' || v === undefined)).toBe(
      true,
    );
    // The watch adopted the new, lower index instead of waiting for the old one forever.
    expect(watch.stats.index).toBeLessThan(heldIndex);
    expect(watch.stats.consecutiveErrors).toBe(0);

    // And it keeps following changes afterwards.
    await consul.kv.put('restart/key', 'later');
    await waitFor(() => watch.current?.value === 'later', 'a later update');
    await watch.stop();
  });
});

describe('watch while the agent is down', () => {
  const fx = useAgent();

  it('backs off with capped jitter, keeps the last good value, and recovers', async () => {
    const consul = fx.client({ retry: false });
    await consul.kv.put('down/key', 'good');
    let calls = 0;
    const watch = consul.watch(
      (q) => {
        calls++;
        return consul.kv.get('down/key', q);
      },
      { wait: '5s', minInterval: 0, backoff: { min: 100, max: 400 } },
    );
    const infos: WatchErrorInfo[] = [];
    const valuesDuringErrors: Array<string | null | undefined> = [];
    watch.on('error', (_err, info) => {
      infos.push(info);
      valuesDuringErrors.push(watch.current?.value);
    });
    await watch.ready();

    await fx.agent.kill();
    await waitFor(() => infos.length >= 6, 'six failed attempts');

    // Bounded attempts over a bounded window: with a 50 ms floor (min/2) at most ~30 attempts fit
    // in 1.5 s; without backoff a refused connection would be retried thousands of times.
    const callsBefore = calls;
    await new Promise((r) => setTimeout(r, 1_500));
    const attemptsInWindow = calls - callsBefore;
    expect(attemptsInWindow).toBeGreaterThanOrEqual(1);
    expect(attemptsInWindow).toBeLessThanOrEqual(31);

    expect(infos.map((i) => i.consecutiveErrors)).toEqual(infos.map((_, n) => n + 1));
    for (const [n, info] of infos.entries()) {
      expect(info.retryInMs).toBeGreaterThanOrEqual(50); // min / 2
      expect(info.retryInMs).toBeLessThanOrEqual(Math.min(400, 100 * 2 ** n)); // exponential, capped
    }
    // Jitter: the delays are not all the same.
    expect(new Set(infos.map((i) => Math.round(i.retryInMs))).size).toBeGreaterThan(1);
    // The last good value is kept while failing.
    expect(valuesDuringErrors.every((v) => v === 'good')).toBe(true);
    expect(watch.current?.value).toBe('good');
    expect(watch.stats.lastError?.name).toBe('ConsulUnavailableError');

    await fx.agent.restart();
    await consul.kv.put('down/key', 'back');
    await waitFor(() => watch.current?.value === 'back', 'recovery');
    expect(watch.stats.consecutiveErrors).toBe(0);
    await watch.stop();
  });

  it('never throws or leaves an unhandled rejection when nobody listens for errors', async () => {
    const logger = capture();
    const consul = fx.client({ retry: false, logger });
    try {
      const stopped = await withNoUnhandledRejections(async () => {
        await consul.kv.put('down/quiet', 'v');
        const watch = consul.watchKey('down/quiet', {
          minInterval: 0,
          backoff: { min: 20, max: 60 },
        });
        await watch.ready();
        expect(watch.listenerCount('error')).toBe(0);
        await fx.agent.kill();
        await waitFor(() => watch.stats.consecutiveErrors >= 5, 'failures');
        await watch.stop();
        return watch;
      });
      // Logged once per outage instead of thrown.
      expect(logger.warnings.filter((w) => w.includes('watch failed'))).toHaveLength(1);
      expect(stopped.current?.value).toBe('v');
    } finally {
      await fx.agent.restart();
    }
  });
});
