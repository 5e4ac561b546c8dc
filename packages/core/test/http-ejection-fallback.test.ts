import { ServiceClient, createStaticSource, silentLogger } from '../src';
import { startBackend, stopAllBackends } from './http-backends';

afterAll(() => stopAllBackends());

/**
 * Core README, "Passive outlier ejection": "when ejection would leave nothing, the ejected ones are
 * tried anyway" — a possibly-bad instance beats certain failure.
 */
describe('ServiceClient when every instance is ejected', () => {
  it('still sends the call to an ejected instance rather than failing with no instance', async () => {
    const only = await startBackend('only');
    const source = createStaticSource('users', [
      { id: 'only', address: '127.0.0.1', port: only.port },
    ]);
    const client = new ServiceClient(
      source,
      { retries: 0, ejection: { consecutiveFailures: 1, maxEjectedPercent: 100 } },
      silentLogger,
    );
    only.behaviour.status = 503;
    const failed = await client.get('/x');
    await failed.body.dump();
    expect(failed.statusCode).toBe(503);
    expect(client.ejectedInstances()).toEqual(['only']);
    only.behaviour.status = 200;
    const res = await client.get('/x');
    expect(await res.body.text()).toBe('only');
    expect(only.hits).toBe(2);
    await client.close();
  });
});
