import {
  ConsulHarnessOptionError,
  fetchJson,
  startFederation,
  validateFederationOptions,
  type ConsulFederation,
} from '../src';

jest.setTimeout(90_000);

describe('startFederation({ datacenters: [dc1, dc2] })', () => {
  let fed: ConsulFederation;

  beforeAll(async () => {
    fed = await startFederation({ datacenters: ['dc1', 'dc2'] });
  });

  afterAll(async () => {
    await fed.stop();
  });

  it('starts one server per datacenter on loopback, WAN-joined: each lists both datacenters', async () => {
    expect(fed.datacenters).toEqual(['dc1', 'dc2']);
    const [dc1, dc2] = [fed.dc('dc1'), fed.dc('dc2')];
    expect([dc1.datacenter, dc2.datacenter]).toEqual(['dc1', 'dc2']);
    expect(fed.agents).toEqual({ dc1, dc2 });
    expect(new Set([dc1.serfWanPort, dc2.serfWanPort, dc1.httpPort, dc2.httpPort]).size).toBe(4);
    for (const agent of [dc1, dc2]) {
      const { body } = await fetchJson<string[]>(agent.address, '/v1/catalog/datacenters');
      expect([...body].sort()).toEqual(['dc1', 'dc2']);
    }
    const { body: wan } = await fetchJson<Array<{ Name: string; Addr: string; Status: number }>>(
      dc1.address,
      '/v1/agent/members?wan=1',
    );
    expect(wan.map((m) => [m.Name, m.Addr, m.Status]).sort()).toEqual(
      [
        [`${dc1.nodeName}.dc1`, '127.0.0.1', 1],
        [`${dc2.nodeName}.dc2`, '127.0.0.1', 1],
      ].sort(),
    );
  });

  it('forwards a ?dc=dc2 request from dc1 to dc2 (a key written in dc2 is read through dc1)', async () => {
    const dc1 = fed.dc('dc1');
    const dc2 = fed.dc('dc2');
    const put = await fetch(`${dc2.address}/v1/kv/federation/where`, {
      method: 'PUT',
      body: 'dc2',
    });
    expect(put.status).toBe(200);
    const here = await fetch(`${dc1.address}/v1/kv/federation/where?raw`);
    expect(here.status).toBe(404);
    const there = await fetch(`${dc1.address}/v1/kv/federation/where?raw&dc=dc2`);
    expect({ status: there.status, body: await there.text() }).toEqual({
      status: 200,
      body: 'dc2',
    });
  });

  it('names the datacenters it has when asked for another', () => {
    expect(() => fed.dc('dc3')).toThrow(
      expect.objectContaining({
        option: 'datacenter',
        message: expect.stringContaining('dc1, dc2'),
      }),
    );
  });
});

describe('validateFederationOptions', () => {
  it.each([
    [undefined, 'datacenters'],
    [{ datacenters: ['dc1'] }, 'datacenters'],
    [{ datacenters: ['dc1', 'dc1'] }, 'datacenters'],
    [{ datacenters: ['dc1', 'DC2'] }, 'datacenters'],
    [{ datacenters: 'dc1,dc2' }, 'datacenters'],
    [{ datacenters: ['dc1', 'dc2'], datacenter: 'dc1' }, 'datacenter'],
    [{ datacenters: ['dc1', 'dc2'], servers: 3 }, 'servers'],
    [{ datacenters: ['dc1', 'dc2'], startTimeout: -1 }, 'startTimeout'],
  ])('%j → ConsulHarnessOptionError naming %s', (options, option) => {
    expect(() => validateFederationOptions(options)).toThrow(ConsulHarnessOptionError);
    expect(() => validateFederationOptions(options)).toThrow(expect.objectContaining({ option }));
  });

  it('rejects bad options before starting anything', async () => {
    await expect(startFederation({ datacenters: ['solo'] })).rejects.toThrow(
      ConsulHarnessOptionError,
    );
  });
});
