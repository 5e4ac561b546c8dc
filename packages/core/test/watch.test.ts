import { Agent, type Dispatcher } from 'undici';
import { type KvEntry, type Watch } from '../src';
import { useAgent } from './support/agent';

/** Polls `probe` until it is truthy, at most `timeout` ms (bounded). */
async function waitFor(probe: () => unknown, what: string, timeout = 20_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Records the value of every `change` event of a watch. */
function record<T>(watch: Watch<T>): T[] {
  const seen: T[] = [];
  watch.on('change', (value) => seen.push(value));
  return seen;
}

/** An undici dispatcher that counts the requests going through it. */
function countingDispatcher() {
  const agent = new Agent();
  const requests: string[] = [];
  const dispatcher: Dispatcher = agent.compose((dispatch) => (options, handler) => {
    requests.push(`${options.method} ${options.path}`);
    return dispatch(options, handler);
  });
  return { dispatcher, requests, close: () => agent.destroy() };
}

const valueOf = (e: KvEntry | undefined) => e?.value;

// Agent restarts and long polls take seconds; every wait below is bounded on its own.
jest.setTimeout(60_000);

describe('watch (real agent)', () => {
  const fx = useAgent();

  it('sees a change once, ignores an identical re-PUT, and reports a delete', async () => {
    const consul = fx.client();
    const watch = consul.watchKey('watch/a', { minInterval: 0 });
    const seen = record(watch);
    await watch.ready();
    expect(seen.map(valueOf)).toEqual([undefined]);

    await consul.kv.put('watch/a', 'v1');
    await waitFor(() => seen.length === 2, 'v1');
    const indexAfterV1 = watch.stats.index;

    // 1.8.7 does not bump the index for an identical write (BQ-13): no wake, no event.
    expect(await consul.kv.put('watch/a', 'v1')).toBe(true);
    expect((await consul.kv.get('watch/a'))?.modifyIndex).toBe(indexAfterV1);

    await consul.kv.put('watch/a', 'v2');
    await waitFor(() => seen.length === 3, 'v2');
    await consul.kv.delete('watch/a');
    await waitFor(() => seen.length === 4, 'delete');
    expect(seen.map(valueOf)).toEqual([undefined, 'v1', 'v2', undefined]);
    expect(watch.current).toBeUndefined();
    await watch.stop();
  });

  it('does not emit when a blocking query wakes without a content change', async () => {
    const consul = fx.client();
    // A missing key wakes on any KV write (its index is the KV table index, BQ-13).
    const watch = consul.watch((q) => consul.kv.get('watch/missing', q), { minInterval: 0 });
    const seen = record(watch);
    await watch.ready();
    const before = watch.stats.calls;
    for (let i = 0; i < 3; i++) await consul.kv.put(`watch/other-${i}`, String(i));
    await waitFor(() => watch.stats.calls >= before + 2, 'wake-ups');
    expect(seen).toEqual([undefined]);
    await consul.kv.put('watch/missing', 'now');
    await waitFor(() => seen.length === 2, 'the real change');
    expect(valueOf(seen[1])).toBe('now');
    await watch.stop();
  });

  it('passes the next index to the query and keeps meta off the comparison', async () => {
    const consul = fx.client();
    const sent: Array<number | undefined> = [];
    // Written first, so the only index change the watch can see is none (no race with its read).
    await consul.kv.put('watch/idx', 'x');
    const watch = consul.watch(
      (q) => {
        sent.push(q.index);
        return consul.kv.get('watch/idx', q);
      },
      { wait: '2s', minInterval: 0 },
    );
    await watch.ready();
    await waitFor(() => sent.length >= 3, 'a timed-out long poll and the next one');
    // The first call is a plain read; then every call blocks on the index of the last answer.
    expect(sent[0]).toBeUndefined();
    expect(sent.slice(1).every((i) => i === watch.stats.index)).toBe(true);
    expect(watch.stats.consecutiveErrors).toBe(0);
    expect(watch.stats.lastMeta?.knownLeader).toBe(true);
    await watch.stop();
  });

  it('watches a prefix', async () => {
    const consul = fx.client();
    const watch = consul.watchPrefix('watch-prefix/', { minInterval: 0 });
    const seen = record(watch);
    await watch.ready();
    await consul.kv.put('watch-prefix/a', '1');
    await waitFor(() => seen.at(-1)?.length === 1, 'a');
    await consul.kv.put('watch-prefix/b', '2');
    await waitFor(() => seen.at(-1)?.length === 2, 'b');
    await consul.kv.delete('watch-prefix/a');
    await waitFor(() => seen.at(-1)?.length === 1, 'a removed');
    expect(seen.at(-1)?.map((e) => e.key)).toEqual(['watch-prefix/b']);
    await watch.stop();
  });

  it('watches the passing instances of a service', async () => {
    const consul = fx.client();
    const watch = consul.watchService('watch-web', { minInterval: 0 });
    const seen = record(watch);
    await watch.ready();
    expect(seen).toEqual([[]]);
    await consul.agent.service.register({
      name: 'watch-web',
      id: 'watch-web-1',
      port: 8080,
      check: { ttl: '30s' },
    });
    // A TTL check starts critical: the passing-only watch still sees nothing.
    await consul.agent.check.pass('service:watch-web-1');
    await waitFor(() => seen.at(-1)?.length === 1, 'instance passing');
    expect(seen.at(-1)?.[0]?.service.id).toBe('watch-web-1');
    await consul.agent.check.fail('service:watch-web-1');
    await waitFor(() => seen.at(-1)?.length === 0, 'instance critical');
    expect(seen.every((list) => list.every((e) => e.service.id === 'watch-web-1'))).toBe(true);
    await consul.agent.service.deregister('watch-web-1');
    await watch.stop();
  });

  it('is an async iterator that ends on stop', async () => {
    const consul = fx.client();
    await consul.kv.put('watch/iter', 'one');
    const watch = consul.watchKey('watch/iter', { minInterval: 0 });
    const seen: Array<string | null | undefined> = [];
    const done = (async () => {
      for await (const entry of watch) {
        seen.push(entry?.value);
        if (entry?.value === 'one') await consul.kv.put('watch/iter', 'two');
        if (entry?.value === 'two') void watch.stop();
      }
    })();
    await done;
    expect(seen).toEqual(['one', 'two']);
    expect(watch.stopped).toBe(true);
  });

  it('stop() aborts the long poll in flight; no request follows', async () => {
    const counter = countingDispatcher();
    try {
      const consul = fx.client({ dispatcher: counter.dispatcher });
      await consul.kv.put('watch/stop', 'x');
      const watch = consul.watchKey('watch/stop', { wait: '5m' });
      await watch.ready();
      await waitFor(() => /index=\d+&wait=5m$/.test(counter.requests.at(-1) ?? ''), 'long poll');
      expect(consul.transport.longPollStats.active).toBe(1);
      const before = counter.requests.length;
      // Without the abort this would hang for 5 minutes, well past the test timeout.
      await watch.stop();
      expect(consul.transport.longPollStats.active).toBe(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(counter.requests.length).toBe(before);
      expect(consul.watches.size).toBe(0);
    } finally {
      await counter.close();
    }
  });

  it('stops when its AbortSignal fires, and consul.close() stops every watch', async () => {
    const consul = fx.client();
    const controller = new AbortController();
    const a = consul.watchKey('watch/sig', { signal: controller.signal, wait: '5m' });
    const b = consul.watch((q) => consul.kv.get('watch/sig2', q), { wait: '5m' });
    await Promise.all([a.ready(), b.ready()]);
    controller.abort();
    await waitFor(() => a.stopped, 'a stopped');
    expect(b.stopped).toBe(false);
    await consul.close();
    expect(b.stopped).toBe(true);
    expect(consul.transport.longPollStats.active).toBe(0);
    expect(() => consul.watchKey('watch/sig')).toThrow(
      expect.objectContaining({ code: 'CONSUL_CLOSED' }),
    );
  });
});
