import { ConsulTimeoutError, silentLogger } from '../src';
import { useAgent } from './support/agent';
import { startAnswerDroppingProxy } from './support/answer-dropping-proxy';
import { unique as uniqueName, waitFor } from './support/endpoints-helpers';

/**
 * Timers (`AbortSignal.timeout`, `setTimeout`) count from the event loop's cached clock, which may
 * lag `performance.now()` by a few milliseconds: a bound can end that much "early" on our clock.
 */
const TIMER_SLACK_MS = 50;

/** Resolves with when `promise` settled and how, never rejecting. */
function settle(promise: Promise<unknown>) {
  const result: { at?: number; error?: unknown } = {};
  void promise.then(
    () => (result.at = performance.now()),
    (error: unknown) => {
      result.error = error;
      result.at = performance.now();
    },
  );
  return result;
}

/**
 * The bounds of the core README's "Maintenance and deregistration" and registration options:
 * against an agent that accepts connections but stops answering (a proxy in front of a real agent
 * swallows every request), deregistration gives up instead of hanging.
 */
describe('registration bounds when the agent stops answering', () => {
  const fx = useAgent();

  it('deregister() gives up with ConsulTimeoutError after its default 5 s, not before', async () => {
    const proxy = await startAnswerDroppingProxy(fx.agent.address);
    const consul = fx.client({ address: proxy.address, logger: silentLogger });
    const reg = consul.register({ name: uniqueName('bounded'), port: 9, address: '127.0.0.1' });
    await reg.registered;
    proxy.hang();
    const calledAt = performance.now();
    const outcome = settle(reg.deregister());
    await waitFor(() => outcome.at !== undefined, { timeout: 30_000 });
    const tookMs = (outcome.at as number) - calledAt;
    console.log(
      `deregister() against a silent agent gave up after ${tookMs.toFixed(0)} ms (default 5 s)`,
    );
    expect(outcome.error).toBeInstanceOf(ConsulTimeoutError);
    expect(tookMs).toBeGreaterThanOrEqual(5_000 - TIMER_SLACK_MS);
    expect(reg.status).toBe('failed');
    await consul.close();
    await proxy.close();
  });

  it("the client's close() gives the deregistration 2 s, then returns", async () => {
    const proxy = await startAnswerDroppingProxy(fx.agent.address);
    const consul = fx.client({ address: proxy.address, logger: silentLogger, timeout: '1s' });
    const reg = consul.register({ name: uniqueName('closing'), port: 9, address: '127.0.0.1' });
    await reg.registered;
    proxy.hang();
    const calledAt = performance.now();
    const outcome = settle(consul.close());
    await waitFor(() => outcome.at !== undefined, { timeout: 30_000 });
    const tookMs = (outcome.at as number) - calledAt;
    console.log(
      `close() with a silent agent returned after ${tookMs.toFixed(0)} ms (deregistration bound 2 s)`,
    );
    expect(outcome.error).toBeUndefined();
    // It waited for the deregistration attempt, up to its bound, rather than skipping it...
    expect(tookMs).toBeGreaterThanOrEqual(2_000 - TIMER_SLACK_MS);
    // ...which failed: the instance is still registered with the agent.
    expect(reg.status).toBe('failed');
    expect(await fx.client().agent.service(reg.id)).toBeDefined();
    await proxy.close();
  });

  it('stop() stops the heartbeat and leaves the instance registered, to expire', async () => {
    const consul = fx.client({ logger: silentLogger });
    const reg = consul.register(
      { name: uniqueName('stopped'), port: 9, address: '127.0.0.1' },
      { defaultTtl: '2s' },
    );
    await reg.registered;
    reg.stop();
    expect(reg.status).toBe('stopped');
    const observer = fx.client();
    expect(await observer.agent.service(reg.id)).toBeDefined();
    // Nobody passes its TTL check any more: it turns critical, and the instance stays listed.
    await waitFor(
      async () => (await observer.health.checks(reg.name)).every((c) => c.status === 'critical'),
      { timeout: 30_000 },
    );
    expect(await observer.agent.service(reg.id)).toBeDefined();
    await observer.agent.service.deregister(reg.id);
  });
});
