import { instancesFromEntries, instanceSetSignature } from '../src/discovery/service-cache';
import { type ServiceEntry } from '../src';

function entry(
  id: string,
  node: string,
  options: { address?: string; status?: 'passing' | 'warning' | 'critical'; tags?: string[] } = {},
): ServiceEntry {
  return {
    node: {
      id: '',
      node,
      address: `10.0.0.${node.length}`,
      datacenter: 'dc1',
      taggedAddresses: {},
      meta: {},
      createIndex: 1,
      modifyIndex: 1,
    },
    service: {
      id,
      service: 'web',
      tags: options.tags ?? [],
      address: options.address ?? '',
      port: 80,
      meta: { b: '2', a: '1' },
      weights: { passing: 3, warning: 1 },
      taggedAddresses: {},
      enableTagOverride: false,
      kind: '',
      datacenter: undefined,
      namespace: undefined,
      contentHash: undefined,
      createIndex: 5,
      modifyIndex: 5,
    },
    checks: [
      {
        node,
        checkId: 'serfHealth',
        name: '',
        status: 'passing',
        notes: '',
        output: 'ok',
        serviceId: '',
        serviceName: '',
        serviceTags: [],
        type: '',
        createIndex: 1,
        modifyIndex: 1,
      },
      {
        node,
        checkId: `${id}:http`,
        name: '',
        status: options.status ?? 'passing',
        notes: '',
        output: '',
        serviceId: id,
        serviceName: 'web',
        serviceTags: [],
        type: 'http',
        createIndex: 1,
        modifyIndex: 1,
      },
    ],
  };
}

describe('discovery instance mapping (pure)', () => {
  it('falls back to the node address, keeps weights and aggregates the worst check', () => {
    const [a, b] = instancesFromEntries([
      entry('a', 'n1'),
      entry('b', 'n22', { address: '192.168.1.5', status: 'warning' }),
    ]);
    expect(a).toEqual({
      id: 'a',
      service: 'web',
      address: '10.0.0.2',
      port: 80,
      tags: [],
      meta: { a: '1', b: '2' },
      weights: { passing: 3, warning: 1 },
      status: 'passing',
      node: 'n1',
      datacenter: 'dc1',
    });
    expect(b).toMatchObject({ address: '192.168.1.5', status: 'warning' });
  });

  it('makes IDs repeated on several nodes unique as id@node', () => {
    const list = instancesFromEntries([entry('web', 'n1'), entry('web', 'n2'), entry('x', 'n1')]);
    expect(list.map((i) => i.id)).toEqual(['web@n1', 'web@n2', 'x']);
  });

  it('signatures ignore order, check outputs and indexes, but see real changes', () => {
    const base = instancesFromEntries([entry('a', 'n1'), entry('b', 'n2', { tags: ['x', 'y'] })]);
    const reordered = instancesFromEntries([
      entry('b', 'n2', { tags: ['y', 'x'] }),
      entry('a', 'n1'),
    ]);
    const output = [entry('a', 'n1'), entry('b', 'n2', { tags: ['x', 'y'] })];
    (output[0] as ServiceEntry).checks[1]!.output = 'HTTP GET: 200 OK';
    (output[0] as ServiceEntry).service.modifyIndex = 99;
    expect(instanceSetSignature(reordered)).toBe(instanceSetSignature(base));
    expect(instanceSetSignature(instancesFromEntries(output))).toBe(instanceSetSignature(base));
    const critical = instancesFromEntries([
      entry('a', 'n1', { status: 'critical' }),
      entry('b', 'n2', { tags: ['x', 'y'] }),
    ]);
    expect(instanceSetSignature(critical)).not.toBe(instanceSetSignature(base));
    const fewer = instancesFromEntries([entry('a', 'n1')]);
    expect(instanceSetSignature(fewer)).not.toBe(instanceSetSignature(base));
  });
});
