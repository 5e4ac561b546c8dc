import { withNoUnhandledRejections } from '@consulkit/testing';
import { ConsulOptionError, silentLogger, type QueryMeta } from '../../src';
import { WatchHub, type WatchHubSources, type WatchQuery } from '../../src/watch';

/** One scripted answer of a query function: a value with an index, or a failure. */
type Step<T> = { value: T; index?: number } | { error: Error };

/**
 * A generic blocking read driven by a script (the engine accepts any function): records the
 * index of every call and, once the script is exhausted, blocks until the watch aborts it.
 */
function scripted<T>(steps: Array<Step<T>>) {
  const sent: Array<number | undefined> = [];
  let aborted = 0;
  const fn = async (q: WatchQuery): Promise<T> => {
    sent.push(q.index);
    const step = steps.shift();
    if (!step) {
      return new Promise<T>((_, reject) =>
        q.signal.addEventListener('abort', () => {
          aborted++;
          reject(q.signal.reason);
        }),
      );
    }
    await new Promise((r) => setImmediate(r));
    if ('error' in step) throw step.error;
    if (step.index !== undefined) q.onMeta(meta(step.index));
    return step.value;
  };
  return { fn, sent, aborted: () => aborted, remaining: () => steps.length };
}

function meta(index: number): QueryMeta {
  return {
    index,
    knownLeader: true,
    lastContact: 0,
    cacheHit: undefined,
    cacheAge: undefined,
    effectiveConsistency: undefined,
    requestTime: 0,
  };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const fast = { minInterval: 0, backoff: { min: 2, max: 8 } } as const;

describe('watch loop (engine, no agent)', () => {
  const hub = new WatchHub({} as WatchHubSources, silentLogger);
  afterAll(() => hub.close());

  it('carries, keeps and resets the index by Consul rules and emits real changes only', async () => {
    const script = scripted<string>([
      { value: 'A', index: 10 }, // first read
      { value: 'A', index: 10 }, // timeout: same index
      { value: 'A', index: 12 }, // woke without a content change
      { value: 'B', index: 3 }, // index went backwards (agent restart)
      { value: 'B', index: 3 }, // fresh read after the reset
      { value: 'C' }, // no index reported: floor to 1
    ]);
    const watch = hub.watch(script.fn, fast);
    const changes: Array<[string, string | undefined]> = [];
    watch.on('change', (value, previous) => changes.push([value, previous]));
    await until(() => script.remaining() === 0 && script.sent.length === 7, 'script');
    expect(script.sent).toEqual([undefined, 10, 10, 12, undefined, 3, 1]);
    expect(changes).toEqual([
      ['A', undefined],
      ['B', 'A'],
      ['C', 'B'],
    ]);
    expect(watch.current).toBe('C');
    expect(watch.stats.index).toBe(3);
    await watch.stop();
    expect(script.aborted()).toBe(1);
  });

  it('keeps the last good value while failing, backs off with jitter and re-reads fresh', async () => {
    const boom = () => new Error('connection refused');
    const script = scripted<string>([
      { value: 'A', index: 5 },
      { error: boom() },
      { error: boom() },
      { error: boom() },
      { value: 'A', index: 5 },
    ]);
    const watch = hub.watch(script.fn, { minInterval: 0, backoff: { min: 4, max: 10 } });
    const errors: Array<{ n: number; retry: number; current: string | undefined }> = [];
    watch.on('error', (_err, info) =>
      errors.push({ n: info.consecutiveErrors, retry: info.retryInMs, current: watch.current }),
    );
    let changes = 0;
    watch.on('change', () => changes++);
    await until(() => script.remaining() === 0 && script.sent.length === 6, 'script');
    expect(errors.map((e) => e.n)).toEqual([1, 2, 3]);
    for (const e of errors) {
      expect(e.current).toBe('A');
      expect(e.retry).toBeGreaterThanOrEqual(2); // min/2
      expect(e.retry).toBeLessThanOrEqual(10); // capped at max
    }
    // Never adopt an index from an error: every retry is a plain read.
    expect(script.sent).toEqual([undefined, 5, undefined, undefined, undefined, 5]);
    expect(changes).toBe(1);
    expect(watch.stats.consecutiveErrors).toBe(0);
    expect(watch.stats.lastError?.message).toBe('connection refused');
    await watch.stop();
  });

  it('does not throw or leave rejections when nobody listens for errors', async () => {
    await withNoUnhandledRejections(async () => {
      const script = scripted<string>([{ error: new Error('x') }, { error: new Error('y') }]);
      const watch = hub.watch(script.fn, fast);
      await until(() => script.sent.length === 3, 'retries');
      expect(watch.stats.consecutiveErrors).toBe(2);
      expect(watch.hasValue).toBe(false);
      const ready = watch.ready();
      await watch.stop();
      await expect(ready).rejects.toMatchObject({ code: 'CONSUL_ABORTED' });
    });
  });

  it('honours emitInitial: false but still resolves ready()', async () => {
    const script = scripted<number>([
      { value: 1, index: 2 },
      { value: 2, index: 3 },
    ]);
    const watch = hub.watch(script.fn, { ...fast, emitInitial: false });
    const seen: number[] = [];
    watch.on('change', (v) => seen.push(v));
    await expect(watch.ready()).resolves.toBe(1);
    await until(() => seen.length === 1, 'second value');
    expect(seen).toEqual([2]);
    await watch.stop();
  });

  it('uses a custom comparator', async () => {
    const script = scripted<{ v: number; at: number }>([
      { value: { v: 1, at: 1 }, index: 2 },
      { value: { v: 1, at: 2 }, index: 3 },
      { value: { v: 2, at: 3 }, index: 4 },
    ]);
    const watch = hub.watch(script.fn, { ...fast, equals: (a, b) => a.v === b.v });
    const seen: number[] = [];
    watch.on('change', (value) => seen.push(value.at));
    await until(() => script.sent.length === 4, 'script');
    expect(seen).toEqual([1, 3]);
    await watch.stop();
  });

  it('ends for good on an error no retry can fix, rejecting ready()', async () => {
    const script = scripted<string>([
      { error: new ConsulOptionError('filter', 'a valid expression', '!!') },
    ]);
    const watch = hub.watch(script.fn, fast);
    const errors: Error[] = [];
    watch.on('error', (err) => errors.push(err));
    await expect(watch.ready()).rejects.toBeInstanceOf(ConsulOptionError);
    expect(watch.stopped).toBe(true);
    expect(errors).toHaveLength(1);
    expect(script.sent).toHaveLength(1);
  });

  it('aborts the call in flight on stop(), even if the function ignores its signal', async () => {
    let calls = 0;
    const watch = hub.watch<string>(() => {
      calls++;
      return new Promise<string>(() => undefined); // never settles
    }, fast);
    await until(() => calls === 1, 'first call');
    await watch.stop();
    expect(watch.stopped).toBe(true);
    expect(hub.size).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(1);
  });

  it('stops when its AbortSignal fires', async () => {
    const script = scripted<string>([{ value: 'A', index: 2 }]);
    const controller = new AbortController();
    const watch = hub.watch(script.fn, { ...fast, signal: controller.signal });
    await watch.ready();
    await until(() => script.sent.length === 2, 'the blocking call');
    controller.abort();
    await until(() => watch.stopped, 'stop');
    expect(script.aborted()).toBe(1);
    // Nothing is called after the abort: the first read and the blocking call it ended.
    await new Promise((r) => setTimeout(r, 20));
    expect(script.sent).toEqual([undefined, 2]);
  });

  it('iterates the current value then each change, and ends on stop', async () => {
    const script = scripted<string>([
      { value: 'A', index: 2 },
      { value: 'B', index: 3 },
    ]);
    const watch = hub.watch(script.fn, fast);
    await until(() => watch.current === 'B', 'B');
    const seen: string[] = [];
    const iterating = (async () => {
      for await (const value of watch) seen.push(value);
    })();
    await until(() => seen.length === 1, 'first yield');
    await watch.stop();
    await iterating;
    // The iterator starts from the latest state, not from history.
    expect(seen).toEqual(['B']);
  });

  it('stops the watch when a for-await loop breaks', async () => {
    const script = scripted<string>([{ value: 'A', index: 2 }]);
    const watch = hub.watch(script.fn, fast);
    for await (const value of watch) {
      expect(value).toBe('A');
      break;
    }
    expect(watch.stopped).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(script.sent.length).toBeLessThanOrEqual(2);
  });

  it('shares one loop per key, ref-counted, and hands the current value to late joiners', async () => {
    const script = scripted<string>([{ value: 'A', index: 2 }]);
    const a = hub.shared('k1', script.fn, fast);
    await a.ready();
    const other = scripted<string>([{ value: 'other', index: 9 }]);
    const b = hub.shared('k1', other.fn, fast);
    const seen: string[] = [];
    b.on('change', (v) => seen.push(v));
    await until(() => seen.length === 1, 'initial value for the joiner');
    expect(seen).toEqual(['A']);
    expect(other.sent).toEqual([]);
    expect(hub.subscribers('k1')).toBe(2);
    await a.stop();
    expect(hub.has('k1')).toBe(true);
    expect(script.aborted()).toBe(0);
    await b.stop();
    expect(hub.has('k1')).toBe(false);
    expect(script.aborted()).toBe(1);
  });

  it('keeps delivering to other subscribers when a listener throws', async () => {
    const logged: Array<{ message: string; context?: Record<string, unknown> }> = [];
    const own = new WatchHub({} as WatchHubSources, {
      ...silentLogger,
      error: (message, context) => logged.push({ message, context }),
    });
    const script = scripted<string>([{ value: 'A', index: 2 }]);
    const a = own.shared('k2', script.fn, fast);
    const b = own.shared('k2', script.fn, fast);
    let thrown = 0;
    a.on('change', () => {
      thrown++;
      throw new Error('listener bug');
    });
    const seen: string[] = [];
    b.on('change', (v) => seen.push(v));
    await until(() => seen.length === 1, 'delivery');
    expect(seen).toEqual(['A']);
    expect(thrown).toBe(1);
    expect(logged).toEqual([
      {
        message: 'A Consul watch change listener threw',
        context: expect.objectContaining({ error: 'listener bug' }),
      },
    ]);
    expect(a.stopped).toBe(false);
    await own.close();
  });

  it('validates options before calling anything', () => {
    const fn = jest.fn(async () => 1);
    expect(() => hub.watch(fn, { wait: 0 })).toThrow(
      expect.objectContaining({ option: 'wait' }) as Error,
    );
    expect(() => hub.watch(fn, { wait: '11m' })).toThrow(ConsulOptionError);
    expect(() => hub.watch(fn, { backoff: { min: '2s', max: '1s' } })).toThrow(
      expect.objectContaining({ option: 'backoff.max' }) as Error,
    );
    expect(() => hub.watch(fn, { minInterval: 'soon' })).toThrow(
      expect.objectContaining({ option: 'minInterval' }) as Error,
    );
    expect(() => hub.watch(fn, { stale: true, consistent: true })).toThrow(ConsulOptionError);
    expect(() => hub.watch('nope' as never)).toThrow(
      expect.objectContaining({ option: 'queryFn' }) as Error,
    );
    expect(() => hub.shared('', fn)).toThrow(expect.objectContaining({ option: 'key' }) as Error);
    expect(fn).not.toHaveBeenCalled();
  });

  it('refuses new watches after close()', async () => {
    const own = new WatchHub({} as WatchHubSources, silentLogger);
    const script = scripted<string>([{ value: 'A', index: 2 }]);
    const watch = own.watch(script.fn, fast);
    await until(() => script.sent.length === 2, 'the blocking call');
    await own.close();
    expect(watch.stopped).toBe(true);
    expect(script.aborted()).toBe(1);
    expect(() => own.watch(script.fn)).toThrow(expect.objectContaining({ code: 'CONSUL_CLOSED' }));
  });
});
