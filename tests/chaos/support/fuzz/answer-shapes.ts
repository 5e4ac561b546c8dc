import { type Consul, ConsulError } from '@consulkit/core';

/**
 * The oracle of the malformed-answer fuzz: what every call may resolve with (its declared model,
 * checked field by field) and which typed error each HTTP status calls for. A call fed garbage
 * must end in one of the two, never in a value of the wrong shape or an error of the wrong kind.
 */

/** Describes what is wrong with a value (`[]`: nothing). */
export type Shape = (value: unknown, at: string) => string[];

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'bigint') return `bigint ${value}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

const is =
  (what: string, test: (v: unknown) => boolean): Shape =>
  (v, at) =>
    test(v) ? [] : [`${at}: expected ${what}, got ${describe(v)}`];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const str = is('a string', (v) => typeof v === 'string');
export const bool = is('a boolean', (v) => typeof v === 'boolean');
export const int = is('an integer', (v) => Number.isSafeInteger(v));
export const index = is(
  'a non-negative integer',
  (v) => Number.isSafeInteger(v) && (v as number) >= 0,
);
export const finite = is('a finite number', (v) => Number.isFinite(v));
export const uint64 = is(
  'a uint64 bigint',
  (v) => typeof v === 'bigint' && v >= 0n && v < 2n ** 64n,
);
export const buffer = is('a Buffer', (v) => Buffer.isBuffer(v));
export const oneOf = (...values: unknown[]): Shape =>
  is(values.map(String).join(' | '), (v) => values.includes(v));
export const nullable =
  (shape: Shape): Shape =>
  (v, at) =>
    v === null ? [] : shape(v, at);
export const optional =
  (shape: Shape): Shape =>
  (v, at) =>
    v === undefined ? [] : shape(v, at);
export const list =
  (shape: Shape): Shape =>
  (v, at) =>
    Array.isArray(v)
      ? v.flatMap((item, i) => shape(item, `${at}[${i}]`))
      : is('an array', () => false)(v, at);
export const dict =
  (shape: Shape): Shape =>
  (v, at) =>
    isObject(v)
      ? Object.entries(v).flatMap(([k, item]) => shape(item, `${at}.${k}`))
      : is('an object', () => false)(v, at);
export const obj =
  (fields: Record<string, Shape>): Shape =>
  (v, at) =>
    isObject(v)
      ? Object.entries(fields).flatMap(([k, shape]) => shape(v[k], `${at}.${k}`))
      : is('an object', () => false)(v, at);

const status = oneOf('passing', 'warning', 'critical');
const kvEntry = obj({
  key: str,
  value: nullable(str),
  rawValue: nullable(buffer),
  flags: uint64,
  createIndex: index,
  modifyIndex: index,
  lockIndex: index,
  session: optional(str),
});
const weights = obj({ passing: int, warning: int });
const serviceAddress = obj({ address: str, port: int });
const healthCheck = obj({
  node: str,
  checkId: str,
  name: str,
  status,
  notes: str,
  output: str,
  serviceId: str,
  serviceName: str,
  serviceTags: list(str),
  type: str,
  createIndex: optional(index),
  modifyIndex: optional(index),
});
const agentService = obj({
  id: str,
  service: str,
  tags: list(str),
  address: str,
  port: int,
  meta: dict(str),
  weights,
  taggedAddresses: dict(serviceAddress),
  enableTagOverride: bool,
  kind: str,
  datacenter: optional(str),
  namespace: optional(str),
  contentHash: optional(str),
  createIndex: optional(index),
  modifyIndex: optional(index),
});
const catalogNode = obj({
  id: str,
  node: str,
  address: str,
  datacenter: str,
  taggedAddresses: dict(str),
  meta: dict(str),
  createIndex: optional(index),
  modifyIndex: optional(index),
});
const catalogService = obj({
  id: str,
  node: str,
  address: str,
  datacenter: str,
  taggedAddresses: dict(str),
  nodeMeta: dict(str),
  serviceId: str,
  serviceName: str,
  serviceTags: list(str),
  serviceAddress: str,
  servicePort: int,
  serviceMeta: dict(str),
  serviceWeights: weights,
  serviceTaggedAddresses: dict(serviceAddress),
  serviceEnableTagOverride: bool,
  serviceKind: str,
  createIndex: index,
  modifyIndex: index,
});
const member = obj({
  name: str,
  addr: str,
  port: int,
  tags: dict(str),
  status: int,
  state: oneOf('none', 'alive', 'leaving', 'left', 'failed'),
});
const session = obj({
  id: str,
  name: str,
  node: str,
  lockDelay: finite,
  behavior: oneOf('release', 'delete'),
  ttl: optional(finite),
  nodeChecks: list(str),
  serviceChecks: list(obj({ id: str, namespace: optional(str) })),
  checks: list(str),
  createIndex: index,
  modifyIndex: index,
});
const userEvent = obj({
  id: str,
  name: str,
  payload: nullable(str),
  rawPayload: nullable(buffer),
  nodeFilter: str,
  serviceFilter: str,
  tagFilter: str,
  version: int,
  lTime: index,
});

/** One call of the client, the shape its value must have, and a well-formed answer to it. */
export interface ShapedCall {
  readonly name: string;
  call(consul: Consul): Promise<unknown>;
  readonly shape: Shape;
  /** A body Consul could answer (then spoiled one field at a time by the fuzz). */
  readonly wire: unknown;
  /** Error codes a 2xx answer may also end in (beyond an unreadable answer's). */
  readonly on2xx?: readonly string[];
}

/** What is wrong with a list of KV entries (a watch's value): `[]` when nothing. */
export function kvEntries(value: unknown, at: string): string[] {
  return list(kvEntry)(value, at);
}

const UUID = '3f6a2b1c-0d4e-4f5a-8b7c-9d0e1f2a3b4c';

// Well-formed wire objects, as Consul 1.8 sends them.
const kvWire = {
  Key: 'app/k',
  Value: Buffer.from('v').toString('base64'),
  Flags: 0,
  CreateIndex: 1,
  ModifyIndex: 2,
  LockIndex: 0,
  Session: UUID,
};
const checkWire = {
  Node: 'node-1',
  CheckID: 'service:web-1',
  Name: 'web',
  Status: 'passing',
  Notes: '',
  Output: 'ok',
  ServiceID: 'web-1',
  ServiceName: 'web',
  ServiceTags: ['v1'],
  Type: 'ttl',
  CreateIndex: 5,
  ModifyIndex: 6,
};
const serviceWire = {
  ID: 'web-1',
  Service: 'web',
  Tags: ['v1'],
  Address: '10.0.0.1',
  Port: 8080,
  Meta: { team: 'a' },
  Weights: { Passing: 1, Warning: 1 },
  TaggedAddresses: { lan: { Address: '10.0.0.1', Port: 8080 } },
  EnableTagOverride: false,
  Kind: '',
  Datacenter: 'dc1',
  ContentHash: 'abc',
  CreateIndex: 5,
  ModifyIndex: 6,
};
const nodeWire = {
  ID: UUID,
  Node: 'node-1',
  Address: '10.0.0.1',
  Datacenter: 'dc1',
  TaggedAddresses: { lan: '10.0.0.1' },
  Meta: { rack: 'r1' },
  CreateIndex: 1,
  ModifyIndex: 2,
};
const catalogServiceWire = {
  ID: UUID,
  Node: 'node-1',
  Address: '10.0.0.1',
  Datacenter: 'dc1',
  TaggedAddresses: { lan: '10.0.0.1' },
  NodeMeta: { rack: 'r1' },
  ServiceID: 'web-1',
  ServiceName: 'web',
  ServiceTags: ['v1'],
  ServiceAddress: '',
  ServicePort: 8080,
  ServiceMeta: {},
  ServiceWeights: { Passing: 1, Warning: 1 },
  ServiceTaggedAddresses: {},
  ServiceEnableTagOverride: false,
  ServiceKind: '',
  CreateIndex: 5,
  ModifyIndex: 6,
};
const memberWire = {
  Name: 'node-1',
  Addr: '10.0.0.1',
  Port: 8301,
  Tags: { role: 'consul' },
  Status: 1,
};
const sessionWire = {
  ID: UUID,
  Name: 'lock',
  Node: 'node-1',
  LockDelay: 15_000_000_000,
  Behavior: 'release',
  TTL: '10s',
  NodeChecks: ['serfHealth'],
  ServiceChecks: [{ ID: 'service:web-1', Namespace: '' }],
  Checks: ['serfHealth'],
  CreateIndex: 7,
  ModifyIndex: 7,
};
const eventWire = {
  ID: UUID,
  Name: 'deploy',
  Payload: Buffer.from('v2').toString('base64'),
  NodeFilter: '',
  ServiceFilter: '',
  TagFilter: '',
  Version: 1,
  LTime: 3,
};

export const SHAPED_CALLS: readonly ShapedCall[] = [
  { name: 'kv.get', call: (c) => c.kv.get('app/k'), shape: optional(kvEntry), wire: [kvWire] },
  {
    name: 'kv.get blocking',
    call: (c) => c.kv.get('app/k', { index: 5, wait: '1s' }),
    shape: optional(kvEntry),
    wire: [kvWire],
  },
  { name: 'kv.list', call: (c) => c.kv.list('app/'), shape: list(kvEntry), wire: [kvWire, kvWire] },
  { name: 'kv.keys', call: (c) => c.kv.keys('app/'), shape: list(str), wire: ['app/a', 'app/b'] },
  { name: 'kv.put', call: (c) => c.kv.put('app/k', 'v'), shape: bool, wire: true },
  { name: 'kv.delete', call: (c) => c.kv.delete('app/k'), shape: bool, wire: true },
  {
    name: 'catalog.services',
    call: (c) => c.catalog.services(),
    shape: dict(list(str)),
    wire: { consul: [], web: ['v1', 'v2'] },
  },
  {
    name: 'catalog.service',
    call: (c) => c.catalog.service('web'),
    shape: list(catalogService),
    wire: [catalogServiceWire],
  },
  {
    name: 'catalog.nodes',
    call: (c) => c.catalog.nodes(),
    shape: list(catalogNode),
    wire: [nodeWire],
  },
  {
    name: 'catalog.datacenters',
    call: (c) => c.catalog.datacenters(),
    shape: list(str),
    wire: ['dc1', 'dc2'],
  },
  {
    name: 'health.service',
    call: (c) => c.health.service('web', { passing: true }),
    shape: list(obj({ node: catalogNode, service: agentService, checks: list(healthCheck) })),
    wire: [{ Node: nodeWire, Service: serviceWire, Checks: [checkWire] }],
  },
  {
    name: 'health.checks',
    call: (c) => c.health.checks('web'),
    shape: list(healthCheck),
    wire: [checkWire],
  },
  {
    name: 'health.state',
    call: (c) => c.health.state('any'),
    shape: list(healthCheck),
    wire: [checkWire],
  },
  {
    name: 'agent.self',
    call: (c) => c.agent.self(),
    shape: obj({
      config: obj({
        datacenter: str,
        nodeName: str,
        nodeId: str,
        server: bool,
        revision: str,
        version: str,
      }),
      version: obj({ major: index, minor: index, patch: index, prerelease: str, text: str }),
      member,
      nodeMeta: dict(str),
      raw: dict(() => []),
    }),
    wire: {
      Config: {
        Datacenter: 'dc1',
        NodeName: 'node-1',
        NodeID: UUID,
        Server: true,
        Revision: 'abc',
        Version: '1.8.7',
      },
      Member: memberWire,
      Meta: { rack: 'r1' },
    },
  },
  {
    name: 'agent.members',
    call: (c) => c.agent.members(),
    shape: list(member),
    wire: [memberWire],
  },
  {
    name: 'agent.services',
    call: (c) => c.agent.services(),
    shape: dict(agentService),
    wire: { 'web-1': serviceWire },
  },
  {
    name: 'agent.checks',
    call: (c) => c.agent.checks(),
    shape: dict(healthCheck),
    wire: { 'service:web-1': checkWire },
  },
  {
    name: 'agent.service',
    call: (c) => c.agent.service('web-1'),
    shape: optional(agentService),
    wire: serviceWire,
  },
  {
    name: 'session.create',
    call: (c) => c.session.create({ ttl: '10s' }),
    shape: str,
    wire: { ID: UUID },
  },
  {
    name: 'session.info',
    call: (c) => c.session.info(UUID),
    shape: optional(session),
    wire: [sessionWire],
  },
  {
    name: 'session.list',
    call: (c) => c.session.list(),
    shape: list(session),
    wire: [sessionWire],
  },
  {
    name: 'session.renew',
    call: (c) => c.session.renew(UUID),
    shape: session,
    wire: [sessionWire],
    // An empty answer means the session is gone (Go's api reads it the same way).
    on2xx: ['CONSUL_NOT_FOUND'],
  },
  { name: 'status.leader', call: (c) => c.status.leader(), shape: str, wire: '10.0.0.1:8300' },
  {
    name: 'status.peers',
    call: (c) => c.status.peers(),
    shape: list(str),
    wire: ['10.0.0.1:8300'],
  },
  { name: 'event.list', call: (c) => c.event.list(), shape: list(userEvent), wire: [eventWire] },
  {
    name: 'txn.run',
    call: (c) => c.txn.run([{ verb: 'get', key: 'app/k' }]),
    shape: obj({ results: list(kvEntry) }),
    wire: { Results: [{ KV: kvWire }], Errors: null },
  },
];

/** Every place inside a JSON value (object fields and list items), as key paths. */
export function placesIn(value: unknown, at: PropertyKey[] = []): PropertyKey[][] {
  if (typeof value !== 'object' || value === null) return [];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => [
    [...at, k],
    ...placesIn((value as Record<PropertyKey, unknown>)[k], [...at, k]),
  ]);
}

/** A copy of `value` with the place `path` replaced by `replacement` (deleted when `undefined`). */
export function spoiled(value: unknown, path: PropertyKey[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [PropertyKey, ...PropertyKey[]];
  const copy = (
    Array.isArray(value) ? [...(value as unknown[])] : { ...(value as object) }
  ) as Record<PropertyKey, unknown>;
  const next = spoiled(copy[head], rest, replacement);
  if (next === undefined && !Array.isArray(copy)) delete copy[head];
  else copy[head] = next;
  return copy;
}

/** The error codes an HTTP status calls for (a 2xx/3xx answer that cannot be read: protocol). */
export function codesFor(status: number): readonly string[] {
  if (status < 400) return ['CONSUL_PROTOCOL'];
  if (status === 403) return ['CONSUL_ACL'];
  if (status === 404) return ['CONSUL_NOT_FOUND'];
  if (status === 409) return ['CONSUL_CONFLICT'];
  if (status === 429) return ['CONSUL_RATE_LIMIT'];
  // A 500 is transient or semantic depending on Consul's text.
  if (status === 500) return ['CONSUL_UNAVAILABLE', 'CONSUL_BAD_REQUEST'];
  if (status >= 502) return ['CONSUL_UNAVAILABLE'];
  return ['CONSUL_BAD_REQUEST'];
}

/**
 * What is wrong with how a call ended, given the status it was answered with (`[]`: nothing). A
 * value may come from a 2xx, or from a 404 where absence is an answer; it must have its shape.
 */
export async function judgeCall(
  consul: Consul,
  call: ShapedCall,
  answeredStatus: number,
): Promise<string[]> {
  let value: unknown;
  try {
    value = await call.call(consul);
  } catch (err) {
    if (!(err instanceof ConsulError))
      return [`${call.name} threw ${String(err)} (not a ConsulError)`];
    const allowed = [
      ...codesFor(answeredStatus),
      ...(answeredStatus < 300 ? (call.on2xx ?? []) : []),
    ];
    return allowed.includes(err.code)
      ? []
      : [
          `${call.name} answered ${answeredStatus}: ${err.code} (${err.message}), expected ${allowed.join(' or ')}`,
        ];
  }
  if (answeredStatus >= 300 && answeredStatus !== 404) {
    return [`${call.name} resolved although Consul answered ${answeredStatus}`];
  }
  return call.shape(value, call.name);
}
