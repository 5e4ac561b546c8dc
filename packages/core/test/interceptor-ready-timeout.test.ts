import { Agent, request } from 'undici';
import {
  ConsulNoInstanceError,
  createDiscoveryInterceptor,
  createStaticSource,
  type InstanceSource,
  silentLogger,
} from '../src';

/** Timers count from the event loop's cached clock, which may lag `performance.now()` slightly. */
const TIMER_SLACK_MS = 50;

/**
 * The interceptor's wait for a service not loaded yet (core README, "undici interceptor"):
 * `readyTimeout`, 5 s by default, then `ConsulNoInstanceError`.
 */
describe('discovery interceptor: a service that never loads', () => {
  it('fails with ConsulNoInstanceError once readyTimeout (5 s by default) has passed, not before', async () => {
    const empty = createStaticSource('never', []);
    // Discovery that never answers: ready() settles only when its signal aborts.
    const never: InstanceSource = {
      name: 'never',
      instances: () => [],
      ready: (signal) =>
        new Promise<void>((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(signal.reason)),
        ),
      on: (event, fn) => empty.on(event, fn),
      off: (event, fn) => empty.off(event, fn),
    };
    const interceptor = createDiscoveryInterceptor(
      (service) => (service === 'never' ? never : undefined),
      { logger: silentLogger },
    );
    const agent = new Agent();
    const dispatcher = agent.compose(interceptor);
    const sentAt = performance.now();
    const error = await request('http://never/x', { dispatcher }).catch((e: unknown) => e);
    const tookMs = performance.now() - sentAt;
    console.log(`request to a service that never loads failed after ${tookMs.toFixed(0)} ms`);
    expect(error).toBeInstanceOf(ConsulNoInstanceError);
    expect(tookMs).toBeGreaterThanOrEqual(5_000 - TIMER_SLACK_MS);
    interceptor.close();
    await agent.close();
  });
});
