import { ConsulUnavailableError, silentLogger } from '../src';
import { useAgent } from './support/agent';
import { startAnswerDroppingProxy } from './support/answer-dropping-proxy';
import { waitFor } from './support/coordination';

/**
 * A managed session whose creation answer was lost (core README, "Managed sessions"): Consul
 * created it, the client never learnt its ID. Its unique name lets the client find and destroy it.
 */
describe('consul.session.renewing when the creation answer is lost', () => {
  const fx = useAgent();

  it('rejects, then finds the session Consul created by its unique name and destroys it', async () => {
    const proxy = await startAnswerDroppingProxy(fx.agent.address);
    const consul = fx.client({ address: proxy.address, logger: silentLogger });
    const observer = fx.client();
    proxy.loseAnswerOf(proxy.requests.length);
    await expect(
      consul.session.renewing({ ttl: '60s', name: 'orphan-test' }),
    ).rejects.toBeInstanceOf(ConsulUnavailableError);
    // The create reached Consul (its answer was lost)...
    expect(proxy.requests[0]).toMatch(/^PUT \/v1\/session\/create/);
    // ...and the session it made does not outlive the failure: found by name and destroyed.
    await waitFor(
      async () => (await observer.session.list()).filter((s) => s.name.startsWith('orphan-test [')),
      (left) => left.length === 0,
      { timeout: 10_000 },
    );
    await consul.close();
    await proxy.close();
  });
});
