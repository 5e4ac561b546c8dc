import { delay, uniqueName, waitFor } from '@consulkit/testing';
import {
  ConsulNoInstanceError,
  ConsulOptionError,
  type Registration,
  type ServiceClient,
} from '../src';
import { type Backend, startBackend } from './http-backends';
import { useFederation } from './support/federation';

jest.setTimeout(120_000);

/** `consul.http(name, { failover: ['dc2'] })` on two WAN-joined datacenters. */
describe('consul.http() datacenter failover (real federation)', () => {
  const { clientOf, registrations } = useFederation();

  const registerIn = async (dc: string, name: string, backend: Backend): Promise<Registration> => {
    // The same service ID in both datacenters, as deployments commonly do: a failed dc1 `id`
    // must not rule out the dc2 `id` it fails over to.
    const registration = clientOf(dc).register({
      id: name,
      name,
      address: '127.0.0.1',
      port: backend.port,
    });
    registrations.push(registration);
    await registration.registered;
    return registration;
  };

  const text = async (client: ServiceClient, path: string): Promise<string> =>
    (await client.get(path)).body.text();

  it('rejects a failover that is not a list of datacenter names, naming the entry', () => {
    const local = clientOf('dc1');
    expect(() => local.http('svc', { failover: ['dc2', 'not a dc'] })).toThrow(
      expect.objectContaining({ name: 'ConsulOptionError', option: 'failover[1]' }),
    );
    expect(() => local.http('svc', { failover: ['dc2', 'dc2'] })).toThrow(
      expect.objectContaining({ option: 'failover[1]' }),
    );
    expect(() => local.http('svc', { failover: 'dc2' as unknown as string[] })).toThrow(
      ConsulOptionError,
    );
  });

  it('serves from dc2 while dc1 has no instance, and not at all without failover', async () => {
    const name = uniqueName('fo-none');
    await registerIn('dc2', name, await startBackend('in-dc2'));
    const local = clientOf('dc1');
    const plain = local.http(name, { timeout: '5s' });
    await expect(plain.get('/')).rejects.toThrow(ConsulNoInstanceError);
    const users = local.http(name, { failover: ['dc2'], timeout: '5s' });
    expect(await text(users, '/first')).toBe('in-dc2');
    expect(await text(users, '/second')).toBe('in-dc2');
  });

  it('keeps every GET answered (from dc2) while the only dc1 instance dies, then returns to dc1', async () => {
    const name = uniqueName('fo-load');
    const dc1 = await startBackend('in-dc1');
    const dc2 = await startBackend('in-dc2');
    const dc1Registration = await registerIn('dc1', name, dc1);
    await registerIn('dc2', name, dc2);
    const users = clientOf('dc1').http(name, { failover: ['dc2'], timeout: '5s' });
    expect(await text(users, '/warm')).toBe('in-dc1');

    // Bounded load: 4 workers, each at most 1500 GETs, until stopped.
    const served: Record<string, number> = {};
    const failures: unknown[] = [];
    let stop = false;
    const worker = async () => {
      for (let i = 0; i < 1500 && !stop; i += 1) {
        try {
          const body = await text(users, `/load/${i}`);
          served[body] = (served[body] ?? 0) + 1;
        } catch (err) {
          failures.push(err);
        }
        await delay(5);
      }
    };
    const load = Promise.all([worker(), worker(), worker(), worker()]);

    await waitFor(() => (served['in-dc1'] ?? 0) >= 20, { what: 'load served by dc1' });
    // The instance crashes first (its calls fail and retry in dc2), then leaves the catalog.
    await dc1.kill();
    await dc1Registration.deregister({ timeout: '5s' });
    const dc2Before = served['in-dc2'] ?? 0;
    await waitFor(() => (served['in-dc2'] ?? 0) >= dc2Before + 50, {
      timeout: 30_000,
      what: 'load served by dc2 after dc1 left',
    });
    stop = true;
    await load;
    expect(failures).toEqual([]);
    expect(served['in-dc2']).toBeGreaterThan(0);

    // dc1 recovers: traffic goes back to it.
    await dc1.restart();
    await registerIn('dc1', name, dc1);
    const start = Date.now();
    await waitFor(async () => (await text(users, '/back')) === 'in-dc1', {
      timeout: 30_000,
      what: 'traffic back in dc1',
    });
    // Measured, not asserted: how long the return took.
    process.stdout.write(`failover: back in dc1 after ${Date.now() - start} ms\n`);
    const after: string[] = [];
    for (let i = 0; i < 6; i += 1) after.push(await text(users, `/after/${i}`));
    expect(after).toEqual(Array(6).fill('in-dc1'));
  });
});
