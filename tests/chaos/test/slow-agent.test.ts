import {
  type Consul,
  ConsulError,
  type ConsulOptions,
  ConsulTimeoutError,
  ConsulUnavailableError,
  type KvEntry,
  type WatchErrorInfo,
} from '@consulkit/core';
import { type UnhandledRejectionWatch, watchUnhandledRejections } from '@consulkit/testing';
import { capturingLogger, type CapturingLogger, useAgent } from '../support/agent';
import { uniqueName } from '../support/diagnostics';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { MODE } from '../support/mode';
import { guard, since, waitFor } from '../support/wait';

jest.setTimeout(120_000);

/** Far above every call's own bound: reaching it means something hung. */
const HANG_GUARD_MS = 30_000;
const RETRY = { retries: 3, minDelay: 40, maxDelay: 400 };

/** What a call ended with: its value, or its error (a call must settle, typed). */
async function outcome<T>(
  call: Promise<T>,
  what: string,
): Promise<{ value?: T; error?: unknown; ms: number }> {
  const started = performance.now();
  try {
    return { value: await guard(call, HANG_GUARD_MS, what), ms: since(started) };
  } catch (error) {
    if (error instanceof Error && /hung for/.test(error.message)) throw error;
    return { error, ms: since(started) };
  }
}

/** The backoff delays the transport logged before each retry. */
function retryDelays(logger: CapturingLogger): number[] {
  return logger.lines
    .filter((l) => l.message === 'Retrying Consul call')
    .map((l) => l.context?.delayMs as number);
}

describe('chaos: slow and broken agent behind a fault proxy', () => {
  const fx = useAgent();
  let proxy: FaultProxy;
  let unhandled: UnhandledRejectionWatch;
  const figures: string[] = [];

  beforeAll(async () => {
    // Watches the whole file: a rejection leaked by an earlier fault fails the last test's claim.
    unhandled = watchUnhandledRejections();
    proxy = await startFaultProxy(fx.agent.address);
  });
  afterAll(async () => {
    unhandled.stop(); // in case the asserting test failed before expectNone()
    await proxy.close();
  });

  const client = (options: ConsulOptions = {}): { consul: Consul; logger: CapturingLogger } => {
    const logger = capturingLogger();
    return {
      consul: fx.client({ address: proxy.address, logger, retry: RETRY, ...options }),
      logger,
    };
  };

  it('added latency below the timeout: calls succeed, slower', async () => {
    proxy.set({ mode: 'latency', latencyMs: 150 });
    const { consul } = client({ timeout: '3s' });
    const key = uniqueName('slow/latency');
    const put = await outcome(consul.kv.put(key, 'v1'), 'put');
    const get = await outcome(consul.kv.get(key), 'get');
    expect(put.error).toBeUndefined();
    expect(put.value).toBe(true);
    expect((get.value as KvEntry | undefined)?.value).toBe('v1');
    figures.push(`latency150ms: put=${put.ms}ms get=${get.ms}ms ok`);
  });

  it('latency above the timeout: typed timeouts, retried with jittered backoff, nothing hangs', async () => {
    proxy.set({ mode: 'latency', latencyMs: 1_500 });
    const { consul, logger } = client({ timeout: '300ms' });
    const get = await outcome(consul.kv.get('slow/any'), 'get through latency');
    expect(get.error).toBeInstanceOf(ConsulTimeoutError);
    expect(get.error).toMatchObject({ code: 'CONSUL_TIMEOUT', retryable: true });
    expect((get.error as ConsulError).message).toContain('GET /v1/kv/slow/any');
    expect(retryDelays(logger)).toHaveLength(RETRY.retries);
    // A CAS write is not repeated once it may have reached the agent (a plain put is idempotent).
    const put = await outcome(
      consul.kv.put('slow/any', 'x', { cas: 0 }),
      'cas put through latency',
    );
    expect(put.error).toBeInstanceOf(ConsulTimeoutError);
    expect(retryDelays(logger)).toHaveLength(RETRY.retries);
    figures.push(
      `latency1500ms/timeout300ms: get=${get.ms}ms CONSUL_TIMEOUT after ${RETRY.retries} retries, cas put=${put.ms}ms not retried`,
    );
  });

  it('dropped connections: typed unavailable errors after backoff with jitter', async () => {
    proxy.set({ mode: 'drop' });
    const runs = await Promise.all(
      [0, 1, 2].map(async () => {
        const { consul, logger } = client({ timeout: '2s' });
        const res = await outcome(consul.kv.get('drop/any'), 'get through drops');
        return { res, delays: retryDelays(logger) };
      }),
    );
    for (const { res, delays } of runs) {
      expect(res.error).toBeInstanceOf(ConsulUnavailableError);
      expect(res.error).toMatchObject({ code: 'CONSUL_UNAVAILABLE', retryable: true });
      expect(delays).toHaveLength(RETRY.retries);
      // Full jitter under a growing ceiling: each delay in [min/2, min(max, min·2^attempt)].
      delays.forEach((d, attempt) => {
        expect(d).toBeGreaterThanOrEqual(RETRY.minDelay / 2 - 1);
        expect(d).toBeLessThanOrEqual(Math.min(RETRY.maxDelay, RETRY.minDelay * 2 ** attempt) + 1);
      });
    }
    // Jitter: three clients failing together do not retry in lockstep.
    const sequences = new Set(runs.map((r) => r.delays.join(',')));
    expect(sequences.size).toBe(3);
    figures.push(
      `drop: CONSUL_UNAVAILABLE after ${RETRY.retries} retries, delays=${runs.map((r) => `[${r.delays.join(',')}]`).join(' ')}ms`,
    );
  });

  it('half-open sockets: the call times out typed, a watch reports errors and recovers', async () => {
    proxy.set({ mode: 'half-open' });
    const { consul } = client({ timeout: '400ms' });
    const get = await outcome(consul.kv.get('half/any'), 'get on a half-open socket');
    expect(get.error).toBeInstanceOf(ConsulTimeoutError);
    const self = await outcome(consul.agent.self(), 'agent self on a half-open socket');
    expect(self.error).toBeInstanceOf(ConsulTimeoutError);

    // A watch on a half-open agent: errors with typed causes and jittered retry delays, then a
    // healthy agent again: it resumes and delivers the current value.
    const key = uniqueName('half/watched');
    const errors: Array<{ error: Error; info: WatchErrorInfo }> = [];
    const values: Array<string | null | undefined> = [];
    const watch = consul.watchKey(key, { wait: '1s', backoff: { min: '50ms', max: '300ms' } });
    watch.on('error', (error, info) => errors.push({ error, info }));
    watch.on('change', (entry) => values.push(entry?.value));
    await waitFor(() => errors.length >= 3, { timeout: 20_000, what: '3 watch errors' });
    expect(errors.every((e) => e.error instanceof ConsulError)).toBe(true);
    expect(
      errors.map((e) => e.error as ConsulError).every((e) => e.code === 'CONSUL_TIMEOUT'),
    ).toBe(true);
    const backoffs = errors.map((e) => Math.round(e.info.retryInMs));
    expect(backoffs.every((ms) => ms > 0 && ms <= 300)).toBe(true);

    proxy.set({ mode: 'pass' });
    const recoverStarted = performance.now();
    await fx.client().kv.put(key, 'after');
    await waitFor(() => values.includes('after'), {
      timeout: 20_000,
      what: 'the watch recovering',
    });
    const recoverMs = since(recoverStarted);
    await guard(watch.stop(), HANG_GUARD_MS, 'watch.stop()');
    figures.push(
      `half-open: get=${get.ms}ms CONSUL_TIMEOUT, watch errors=${errors.length} backoff=[${backoffs.join(',')}]ms recovered=${recoverMs}ms`,
    );
  });

  it('truncated answers: typed unavailable errors, never a parse crash', async () => {
    const { consul } = client({ timeout: '2s' });
    proxy.set({ mode: 'pass' });
    const key = uniqueName('trunc/big');
    await consul.kv.put(key, 'x'.repeat(20_000));
    const cuts = [20, 90, 400, 5_000];
    const results: string[] = [];
    for (const truncateAt of cuts) {
      proxy.set({ mode: 'truncate', truncateAt });
      const res = await outcome(consul.kv.get(key), `get truncated at ${truncateAt}`);
      expect(res.error).toBeInstanceOf(ConsulError);
      expect((res.error as ConsulError).code).toMatch(/^CONSUL_(UNAVAILABLE|PROTOCOL)$/);
      results.push(`${truncateAt}B→${(res.error as ConsulError).code}`);
    }
    figures.push(`truncate: ${results.join(' ')}`);
  });

  it('registration and discovery ride out the faults; close() never hangs; no unhandled rejection', async () => {
    proxy.set({ mode: 'drop' });
    const { consul } = client({ timeout: '500ms' });
    const name = uniqueName('faulty');
    const registration = consul.register({
      name,
      address: '127.0.0.1',
      port: 9,
      check: { ttl: '30s' },
    });
    const regErrors: Error[] = [];
    registration.on('error', (err) => regErrors.push(err));
    const cache = consul.discovery.service(name);
    await waitFor(() => regErrors.length > 0, { timeout: 20_000, what: 'a registration error' });
    proxy.set({ mode: 'half-open' });
    await waitFor(() => cache.lastError !== undefined, {
      timeout: 20_000,
      what: 'a discovery error',
    });
    proxy.set({ mode: 'pass' });
    await guard(registration.registered, HANG_GUARD_MS, 'registration after the faults');
    await waitFor(() => cache.instances().length === 1, {
      timeout: 20_000,
      what: 'the instance discovered',
    });
    proxy.set({ mode: 'half-open' });
    const closeStarted = performance.now();
    await guard(consul.close(), HANG_GUARD_MS, 'client close() with half-open sockets');
    const closeMs = since(closeStarted);
    await new Promise((r) => setImmediate(r));
    proxy.set({ mode: 'pass' });

    figures.push(
      `register/discovery: registration errors=${regErrors.length} (typed: ${regErrors.every((e) => e instanceof ConsulError)}) ` +
        `recovered; close()=${closeMs}ms; unhandled rejections=${unhandled.reasons.length}`,
    );
    console.log(
      `[chaos] slow-agent (${MODE}): ${figures.join('; ')}; proxy accepted=${JSON.stringify(proxy.accepted)}`,
    );
    expect(regErrors.every((e) => e instanceof ConsulError)).toBe(true);
    await unhandled.expectNone();
  });
});
