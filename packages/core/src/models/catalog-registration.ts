import { ConsulOptionError } from '../errors';
import { type HealthStatus } from './check';
import { metaToWire } from './service-definition';
import {
  checkKnownKeys,
  checkObject,
  compact,
  optionalBoolean,
  optionalInteger,
  optionalString,
  optionalStringList,
  requiredString,
} from './validate';

/** A service in a catalog registration. */
export interface CatalogServiceInput {
  /** Service name. */
  service: string;
  /** Instance ID (default: the name). */
  id?: string;
  tags?: readonly string[];
  address?: string;
  port?: number;
  meta?: Readonly<Record<string, string>>;
  weights?: { passing: number; warning?: number };
}

/** A check in a catalog registration (a status record: the catalog runs no probes). */
export interface CatalogCheckInput {
  checkId: string;
  name: string;
  status?: HealthStatus;
  notes?: string;
  output?: string;
  serviceId?: string;
}

/**
 * A direct catalog write (`PUT /v1/catalog/register`), for external services with no agent.
 * Entries of agent-managed nodes are undone by anti-entropy: use `consul.agent.service` for those.
 */
export interface CatalogRegistration {
  node: string;
  address: string;
  /** Node UUID. */
  id?: string;
  datacenter?: string;
  taggedAddresses?: Readonly<Record<string, string>>;
  nodeMeta?: Readonly<Record<string, string>>;
  service?: CatalogServiceInput;
  check?: CatalogCheckInput;
  checks?: readonly CatalogCheckInput[];
  /** Leave the node's existing fields alone (register only the service/checks). */
  skipNodeUpdate?: boolean;
}

/** A catalog deregistration: the whole node, or one of its services or checks. */
export interface CatalogDeregistration {
  node: string;
  datacenter?: string;
  serviceId?: string;
  checkId?: string;
}

const STATUSES: readonly string[] = ['passing', 'warning', 'critical'];

/** Validates a {@link CatalogRegistration} and builds its wire body. */
export function catalogRegistrationToWire(input: unknown): Record<string, unknown> {
  const path = 'registration';
  const r = checkObject(input, path);
  checkKnownKeys(
    r,
    [
      'node',
      'address',
      'id',
      'datacenter',
      'taggedAddresses',
      'nodeMeta',
      'service',
      'check',
      'checks',
      'skipNodeUpdate',
    ],
    path,
  );
  const node = requiredString(r.node, `${path}.node`);
  if (r.checks !== undefined && !Array.isArray(r.checks)) {
    throw new ConsulOptionError(`${path}.checks`, 'an array of checks', r.checks);
  }
  return compact({
    ID: optionalString(r.id, `${path}.id`, true),
    Node: node,
    Address: requiredString(r.address, `${path}.address`),
    Datacenter: optionalString(r.datacenter, `${path}.datacenter`, true),
    TaggedAddresses: stringRecord(r.taggedAddresses, `${path}.taggedAddresses`),
    NodeMeta: stringRecord(r.nodeMeta, `${path}.nodeMeta`),
    Service: r.service === undefined ? undefined : serviceToWire(r.service, `${path}.service`),
    Check: r.check === undefined ? undefined : checkToWire(r.check, node, `${path}.check`),
    Checks: (r.checks as unknown[] | undefined)?.map((c, i) =>
      checkToWire(c, node, `${path}.checks[${i}]`),
    ),
    SkipNodeUpdate: optionalBoolean(r.skipNodeUpdate, `${path}.skipNodeUpdate`),
  });
}

/** Validates a {@link CatalogDeregistration} and builds its wire body. */
export function catalogDeregistrationToWire(input: unknown): Record<string, unknown> {
  const path = 'deregistration';
  const d = checkObject(input, path);
  checkKnownKeys(d, ['node', 'datacenter', 'serviceId', 'checkId'], path);
  return compact({
    Node: requiredString(d.node, `${path}.node`),
    Datacenter: optionalString(d.datacenter, `${path}.datacenter`, true),
    ServiceID: optionalString(d.serviceId, `${path}.serviceId`, true),
    CheckID: optionalString(d.checkId, `${path}.checkId`, true),
  });
}

function serviceToWire(input: unknown, path: string) {
  const s = checkObject(input, path);
  checkKnownKeys(s, ['service', 'id', 'tags', 'address', 'port', 'meta', 'weights'], path);
  let weights: { Passing: number; Warning: number } | undefined;
  if (s.weights !== undefined) {
    const w = checkObject(s.weights, `${path}.weights`);
    const passing = optionalInteger(w.passing, `${path}.weights.passing`, 1);
    if (passing === undefined) {
      throw new ConsulOptionError(`${path}.weights.passing`, 'an integer > 0', w.passing);
    }
    weights = {
      Passing: passing,
      Warning: optionalInteger(w.warning, `${path}.weights.warning`, 0) ?? 1,
    };
  }
  return compact({
    ID: optionalString(s.id, `${path}.id`, true),
    Service: requiredString(s.service, `${path}.service`),
    Tags: optionalStringList(s.tags, `${path}.tags`),
    Address: optionalString(s.address, `${path}.address`),
    Port: optionalInteger(s.port, `${path}.port`, 0, 65535),
    Meta: metaToWire(s.meta, `${path}.meta`),
    Weights: weights,
  });
}

function checkToWire(input: unknown, node: string, path: string) {
  const c = checkObject(input, path);
  checkKnownKeys(c, ['checkId', 'name', 'status', 'notes', 'output', 'serviceId'], path);
  if (c.status !== undefined && !STATUSES.includes(c.status as string)) {
    throw new ConsulOptionError(`${path}.status`, 'passing, warning or critical', c.status);
  }
  return compact({
    Node: node,
    CheckID: requiredString(c.checkId, `${path}.checkId`),
    Name: requiredString(c.name, `${path}.name`),
    Status: c.status as string | undefined,
    Notes: optionalString(c.notes, `${path}.notes`),
    Output: optionalString(c.output, `${path}.output`),
    ServiceID: optionalString(c.serviceId, `${path}.serviceId`, true),
  });
}

function stringRecord(value: unknown, path: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const record = checkObject(value, path);
  for (const [k, v] of Object.entries(record)) {
    if (typeof v !== 'string') throw new ConsulOptionError(`${path}.${k}`, 'a string', v);
  }
  return { ...(record as Record<string, string>) };
}
