import { ConsulOptionError } from '../errors';
import { type CheckDefinition, checkDefinitionToWire } from './check-definition';
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

/** A service instance to register with the local agent, in camelCase. */
export interface ServiceDefinition {
  /** Service name (required). */
  name: string;
  /** Instance ID, unique on this agent (default: the name). No `/` (agent URLs could not address it). */
  id?: string;
  /** Tags consumers can filter on (`tag=`). */
  tags?: readonly string[];
  /** Address consumers dial; empty means the node's address. May be a host name. */
  address?: string;
  /** Port consumers dial (0-65535). */
  port?: number;
  /** String metadata: at most 64 pairs, keys `[A-Za-z0-9_-]{1,128}` not starting with `consul-`. */
  meta?: Readonly<Record<string, string>>;
  /** Load-balancing weights (`passing` > 0; default `{ passing: 1, warning: 1 }`). */
  weights?: { passing: number; warning?: number };
  /** Named alternative addresses, e.g. `{ wan: { address: '203.0.113.1', port: 443 } }`. */
  taggedAddresses?: Readonly<Record<string, { address: string; port: number }>>;
  /** Let external catalog writers change the tags (anti-entropy keeps them). */
  enableTagOverride?: boolean;
  /** One check. */
  check?: CheckDefinition;
  /** Several checks. */
  checks?: readonly CheckDefinition[];
}

const SERVICE_KEYS = [
  'name',
  'id',
  'tags',
  'address',
  'port',
  'meta',
  'weights',
  'taggedAddresses',
  'enableTagOverride',
  'check',
  'checks',
] as const;
const META_KEY = /^[a-zA-Z0-9_-]{1,128}$/;

/**
 * Validates a {@link ServiceDefinition} and builds the body of `PUT /v1/agent/service/register`,
 * omitting unset fields (unknown fields are a 400 on every Consul version).
 */
export function serviceDefinitionToWire(input: unknown, path = 'service'): Record<string, unknown> {
  const def = checkObject(input, path);
  checkKnownKeys(def, SERVICE_KEYS, path);
  const id = optionalString(def.id, `${path}.id`, true);
  if (id?.includes('/')) throw new ConsulOptionError(`${path}.id`, 'an ID without "/"', id);
  if (def.checks !== undefined && !Array.isArray(def.checks)) {
    throw new ConsulOptionError(`${path}.checks`, 'an array of checks', def.checks);
  }
  return compact({
    Name: requiredString(def.name, `${path}.name`),
    ID: id,
    Tags: optionalStringList(def.tags, `${path}.tags`),
    Address: optionalString(def.address, `${path}.address`),
    Port: optionalInteger(def.port, `${path}.port`, 0, 65535),
    Meta: metaToWire(def.meta, `${path}.meta`),
    Weights: weightsToWire(def.weights, `${path}.weights`),
    TaggedAddresses: taggedAddressesToWire(def.taggedAddresses, `${path}.taggedAddresses`),
    EnableTagOverride: optionalBoolean(def.enableTagOverride, `${path}.enableTagOverride`),
    Check: def.check === undefined ? undefined : checkDefinitionToWire(def.check, `${path}.check`),
    Checks: (def.checks as unknown[] | undefined)?.map((c, i) =>
      checkDefinitionToWire(c, `${path}.checks[${i}]`),
    ),
  });
}

/** Validates service metadata against Consul's limits (structs.ValidateServiceMetadata). */
export function metaToWire(value: unknown, path: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const meta = checkObject(value, path);
  const entries = Object.entries(meta);
  if (entries.length > 64) throw new ConsulOptionError(path, 'at most 64 pairs', entries.length);
  for (const [key, v] of entries) {
    if (!META_KEY.test(key) || key.startsWith('consul-')) {
      throw new ConsulOptionError(
        `${path}.${key}`,
        'a key of 1-128 letters, digits, "_" or "-", not starting with "consul-"',
        key,
      );
    }
    if (typeof v !== 'string' || v.length > 512) {
      throw new ConsulOptionError(`${path}.${key}`, 'a string of at most 512 characters', v);
    }
  }
  return { ...(meta as Record<string, string>) };
}

function weightsToWire(value: unknown, path: string) {
  if (value === undefined) return undefined;
  const w = checkObject(value, path);
  checkKnownKeys(w, ['passing', 'warning'], path);
  const passing = optionalInteger(w.passing, `${path}.passing`, 1);
  if (passing === undefined)
    throw new ConsulOptionError(`${path}.passing`, 'an integer > 0', w.passing);
  return { Passing: passing, Warning: optionalInteger(w.warning, `${path}.warning`, 0) ?? 1 };
}

function taggedAddressesToWire(value: unknown, path: string) {
  if (value === undefined) return undefined;
  const out: Record<string, { Address: string; Port: number }> = {};
  for (const [name, raw] of Object.entries(checkObject(value, path))) {
    const a = checkObject(raw, `${path}.${name}`);
    checkKnownKeys(a, ['address', 'port'], `${path}.${name}`);
    out[name] = {
      Address: requiredString(a.address, `${path}.${name}.address`),
      Port: optionalInteger(a.port, `${path}.${name}.port`, 0, 65535) ?? 0,
    };
  }
  return out;
}
