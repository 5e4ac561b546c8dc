import { Agent, request } from 'undici';
import { uniqueName } from '@consulkit/testing';
import { type Backend, startBackend } from './http-backends';
import { useFederation } from './support/federation';

jest.setTimeout(90_000);

/** `consul.interceptor()` on two WAN-joined datacenters: a Consul DNS host's `<dc>` label counts. */
describe('consul.interceptor() across datacenters (real federation)', () => {
  let dispatcher: Agent;
  const { clientOf, registrations } = useFederation(async () => dispatcher?.close());

  it('sends <svc>.service.dc2.consul to the dc2 instance and <svc> to the local (dc1) one', async () => {
    const name = uniqueName('fed');
    const backends: Record<string, Backend> = {
      dc1: await startBackend('in-dc1'),
      dc2: await startBackend('in-dc2'),
    };
    for (const dc of ['dc1', 'dc2']) {
      const registration = clientOf(dc).register({
        name,
        address: '127.0.0.1',
        port: backends[dc]?.port,
      });
      registrations.push(registration);
      await registration.registered;
    }
    // The application talks to its local agent (dc1) only; dc2 is reached through it.
    const local = clientOf('dc1');
    dispatcher = new Agent();
    const http = dispatcher.compose(local.interceptor({ readyTimeout: '30s' }));
    const body = async (url: string) => (await request(url, { dispatcher: http })).body.text();

    expect(await body(`http://${name}.service.dc2.consul/who`)).toBe('in-dc2');
    expect(await body(`http://${name}/who`)).toBe('in-dc1');
    expect(await body(`http://${name}.service.consul/who`)).toBe('in-dc1');
    expect(await body(`http://${name}.service.dc1.consul/who`)).toBe('in-dc1');
    expect(await body(`http://${name}.service.dc2.consul/again`)).toBe('in-dc2');
    // The logical host reaches the dc2 instance unchanged.
    expect(backends.dc2?.seen).toEqual([
      `GET /who ${name}.service.dc2.consul`,
      `GET /again ${name}.service.dc2.consul`,
    ]);
  });
});
