import { Agent, type Dispatcher } from 'undici';
import { type Watch } from '../src';
import { useAgent } from './support/agent';

/** Polls `probe` until it is truthy, at most `timeout` ms (bounded). */
async function waitFor(probe: () => unknown, what: string, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
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

function record<T>(watch: Watch<T>): T[] {
  const seen: T[] = [];
  watch.on('change', (value) => seen.push(value));
  return seen;
}

// Agent restarts and long polls take seconds; every wait below is bounded on its own.
jest.setTimeout(60_000);

describe('shared watches', () => {
  const fx = useAgent();

  it('1,000 watchers of the same key make one long poll', async () => {
    const counter = countingDispatcher();
    try {
      const consul = fx.client({ dispatcher: counter.dispatcher });
      await consul.kv.put('shared/key', 'v1');
      const gets = () => counter.requests.filter((r) => r.startsWith('GET /v1/kv/shared/key'));

      const watches = Array.from({ length: 1000 }, () =>
        consul.watchKey('shared/key', { minInterval: 0 }),
      );
      const seen = watches.map((w) => record(w));
      await Promise.all(watches.map((w) => w.ready()));
      await waitFor(() => gets().length === 2, 'the long poll');
      expect(consul.transport.longPollStats).toEqual({ active: 1, queued: 0 });
      expect(consul.watches.size).toBe(1);
      expect(consul.watches.subscribers('kv:get::default:shared/key')).toBe(1000);
      // One plain read, then one blocking query, for all 1,000 of them.
      expect(gets()).toHaveLength(2);
      expect(gets()[1]).toMatch(/index=\d+&wait=1m$/);

      await consul.kv.put('shared/key', 'v2');
      await waitFor(() => seen.every((s) => s.length === 2), 'every watcher to see v2');
      await waitFor(() => gets().length === 3, 'the next long poll');
      expect(consul.transport.longPollStats).toEqual({ active: 1, queued: 0 });
      for (const s of seen) expect(s.map((e) => e?.value)).toEqual(['v1', 'v2']);

      // The loop lives while anyone still listens, and ends with the last one.
      await Promise.all(watches.slice(1).map((w) => w.stop()));
      expect(consul.watches.subscribers('kv:get::default:shared/key')).toBe(1);
      expect(consul.transport.longPollStats.active).toBe(1);
      await watches[0]?.stop();
      expect(consul.watches.size).toBe(0);
      expect(consul.transport.longPollStats.active).toBe(0);
    } finally {
      await counter.close();
    }
  });

  it('consul.watch shares by the key the caller gives', async () => {
    const consul = fx.client();
    let calls = 0;
    const query = (q: Parameters<Parameters<typeof consul.watch>[0]>[0]) => {
      calls++;
      return consul.kv.get('shared/custom', q);
    };
    const a = consul.watch(query, { key: 'kv:get:shared/custom', minInterval: 0 });
    const b = consul.watch(query, { key: 'kv:get:shared/custom', minInterval: 0 });
    const c = consul.watch(query, { minInterval: 0 }); // no key: its own loop
    await Promise.all([a.ready(), b.ready(), c.ready()]);
    await waitFor(() => consul.transport.longPollStats.active === 2, 'two long polls');
    expect(consul.watches.size).toBe(2);
    expect(calls).toBe(4); // (read + long poll) for the shared loop and for the private one
    await Promise.all([a.stop(), b.stop(), c.stop()]);
    expect(consul.transport.longPollStats.active).toBe(0);
  });

  it('caps concurrent long polls per client; queued watches still see changes', async () => {
    const consul = fx.client({ maxLongPolls: 2 });
    const keys = ['cap/a', 'cap/b', 'cap/c', 'cap/d'];
    for (const k of keys) await consul.kv.put(k, '0');
    const watches = keys.map((k) => consul.watchKey(k, { wait: '1s', minInterval: 0 }));
    await Promise.all(watches.map((w) => w.ready()));
    await waitFor(() => consul.transport.longPollStats.queued === 2, 'two queued long polls');
    let maxActive = 0;
    const sampler = setInterval(() => {
      maxActive = Math.max(maxActive, consul.transport.longPollStats.active);
    }, 10);
    try {
      await consul.kv.put('cap/d', '1');
      await waitFor(() => watches[3]?.current?.value === '1', 'the change on a queued watch');
    } finally {
      clearInterval(sampler);
    }
    expect(maxActive).toBeLessThanOrEqual(2);
    await Promise.all(watches.map((w) => w.stop()));
    expect(consul.transport.longPollStats).toEqual({ active: 0, queued: 0 });
  });
});
