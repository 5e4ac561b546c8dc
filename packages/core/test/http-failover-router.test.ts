import { ConsulOptionError, ServiceClient, createStaticSource, silentLogger } from '../src';
import { startBackend, stopAllBackends } from './http-backends';

afterAll(() => stopAllBackends());

/** `failover` sources of a ServiceClient (the router's pick), with fixed instance lists. */
describe('ServiceClient failover sources', () => {
  it('rejects a failover entry that is not an instance source, naming it', () => {
    const source = createStaticSource('users', []);
    expect(
      () =>
        new ServiceClient(source, {
          failover: [source, 'dc2' as unknown as typeof source],
        }),
    ).toThrow(expect.objectContaining({ name: 'ConsulOptionError', option: 'failover[1]' }));
    expect(() => new ServiceClient(source, { failover: source as never })).toThrow(
      ConsulOptionError,
    );
  });

  it('retries in the next datacenter when no other local instance is left', async () => {
    const local = await startBackend('local');
    const remote = await startBackend('remote');
    local.behaviour.status = 503;
    const client = new ServiceClient(
      createStaticSource('users', [{ id: 'l', address: '127.0.0.1', port: local.port }]),
      {
        retries: 1,
        ejection: false,
        failover: [
          createStaticSource('users', [{ id: 'r', address: '127.0.0.1', port: remote.port }]),
        ],
      },
      silentLogger,
    );
    const res = await client.get('/x');
    expect(await res.body.text()).toBe('remote');
    expect([local.hits, remote.hits]).toEqual([1, 1]);
    await client.close();
  });

  it('goes to the next datacenter once every local instance is ejected, and back when re-admitted', async () => {
    const local = await startBackend('local');
    const remote = await startBackend('remote');
    local.behaviour.status = 503;
    const client = new ServiceClient(
      createStaticSource('users', [{ id: 'l', address: '127.0.0.1', port: local.port }]),
      {
        retries: 0,
        ejection: { consecutiveFailures: 1, baseEjectionTime: '300ms', maxEjectedPercent: 50 },
        failover: [
          createStaticSource('users', [{ id: 'r', address: '127.0.0.1', port: remote.port }]),
        ],
      },
      silentLogger,
    );
    const failed = await client.get('/x');
    await failed.body.dump();
    expect(failed.statusCode).toBe(503);
    expect(client.ejectedInstances()).toEqual(['l']);
    const bodies: string[] = [];
    for (let i = 0; i < 3; i += 1) bodies.push(await (await client.get('/y')).body.text());
    expect(bodies).toEqual(['remote', 'remote', 'remote']);
    local.behaviour.status = 200;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await (await client.get('/z')).body.text()).toBe('local');
    await client.close();
  });
});
