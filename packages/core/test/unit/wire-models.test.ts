import { ConsulProtocolError } from '../../src';
import { userEventFromWire } from '../../src/endpoints/event';
import { mapList, mapRecord } from '../../src/endpoints/request';
import { sessionFromWire } from '../../src/endpoints/session';
import { catalogServiceFromWire } from '../../src/models/catalog-service';
import { healthCheckFromWire } from '../../src/models/check';
import { catalogNodeFromWire } from '../../src/models/node';
import { agentServiceFromWire } from '../../src/models/service';
import { serviceEntryFromWire } from '../../src/models/service-entry';

/**
 * The model mappers read malformed answers as ConsulProtocolErrors naming the field, never as a
 * model whose `string` is `undefined` (found by the chaos fuzz's shape oracle,
 * tests/chaos/test/bad-input.test.ts: `[{}]` used to come out of health.checks as a check with no
 * node, ID, name or status).
 */

/** The message of what `fn` threw, or `'(mapped)'`; fails unless it is a ConsulProtocolError. */
function protocolError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConsulProtocolError);
    return (err as Error).message;
  }
  return '(mapped)';
}

const check = {
  Node: 'n1',
  CheckID: 'c1',
  Name: 'c',
  Status: 'passing',
  ServiceTags: null,
  CreateIndex: 1,
};
const service = {
  ID: 'web-1',
  Service: 'web',
  Port: 80,
  Meta: { a: 'b' },
  Weights: { Passing: 2, Warning: 1 },
  TaggedAddresses: { lan: { Address: '10.0.0.1', Port: 80 } },
};
const node = { Node: 'n1', Address: '10.0.0.1', TaggedAddresses: { lan: '10.0.0.1' } };
const catalogService = {
  ...node,
  ServiceID: 'web-1',
  ServiceName: 'web',
  CreateIndex: 1,
  ModifyIndex: 2,
};
const session = {
  ID: 'id',
  Node: 'n1',
  TTL: '10s',
  LockDelay: 15e9,
  CreateIndex: 1,
  ModifyIndex: 1,
};
const event = { ID: 'id', Name: 'deploy', Payload: null, Version: 1, LTime: 2 };

type Mapper = (wire: never) => unknown;
const cases: Array<[string, string, Mapper, Record<string, unknown>, unknown]> = [
  ['health check', 'Node', healthCheckFromWire, check, undefined],
  ['health check', 'Status', healthCheckFromWire, check, 'maybe'],
  ['health check', 'ServiceTags', healthCheckFromWire, check, [1]],
  ['health check', 'CreateIndex', healthCheckFromWire, check, -1],
  ['service', 'Service', agentServiceFromWire, service, 7],
  ['service', 'Port', agentServiceFromWire, service, '80'],
  ['service', 'Meta', agentServiceFromWire, service, { a: 1 }],
  ['service', 'Weights', agentServiceFromWire, service, { Passing: 'x' }],
  ['service', 'TaggedAddresses', agentServiceFromWire, service, { lan: { Address: 1 } }],
  ['node', 'Address', catalogNodeFromWire, node, null],
  ['node', 'TaggedAddresses', catalogNodeFromWire, node, ['10.0.0.1']],
  ['catalog service', 'ModifyIndex', catalogServiceFromWire, catalogService, true],
  ['session', 'TTL', sessionFromWire, session, 'soon'],
  ['session', 'Behavior', sessionFromWire, session, 'explode'],
  ['session', 'LockDelay', sessionFromWire, session, -5],
  ['user event', 'LTime', userEventFromWire, event, 1.5],
];

describe('wire mappers', () => {
  it.each(cases)('a well-formed %s maps (%s case)', (_what, _field, map, wire) => {
    expect(protocolError(() => map(wire as never))).toBe('(mapped)');
  });

  it.each(cases)(
    'a %s with a bad %s is a protocol error naming it',
    (_what, field, map, wire, bad) => {
      const spoiled = { ...wire, [field]: bad };
      if (bad === undefined) delete spoiled[field];
      expect(protocolError(() => map(spoiled as never))).toContain(`"${field}`);
    },
  );

  it('a service entry checks its node, service and checks', () => {
    const entry = { Node: node, Service: service, Checks: [check] };
    expect(protocolError(() => serviceEntryFromWire(entry as never))).toBe('(mapped)');
    expect(protocolError(() => serviceEntryFromWire({ ...entry, Checks: {} } as never))).toContain(
      '"Checks"',
    );
    expect(protocolError(() => serviceEntryFromWire({ ...entry, Node: 7 } as never))).toContain(
      'not an object',
    );
  });

  it('lists and records of the wrong container are refused (a list is no record)', () => {
    expect(() => mapRecord(['a'] as never, (x) => x)).toThrow(TypeError);
    expect(() => mapList({ a: 1 } as never, (x) => x)).toThrow(TypeError);
    expect(mapRecord(null, (x) => x)).toEqual({});
    expect(mapList(null, (x) => x)).toEqual([]);
  });
});
