import { type Duration } from '../duration';
import { ConsulOptionError } from '../errors';
import { type HealthStatus } from './check';
import {
  checkKnownKeys,
  checkObject,
  compact,
  optionalBoolean,
  optionalInteger,
  optionalString,
  optionalWireDuration,
  requiredString,
} from './validate';

/**
 * A health check, in camelCase. Give exactly one kind: `http`, `tcp`, `grpc`, `ttl` or
 * `aliasService`/`aliasNode`. Interval-based kinds (`http`, `tcp`, `grpc`) need `interval`.
 * Only fields Consul 1.8 knows are offered: newer ones would make older agents reject the whole
 * registration (strict decoding).
 */
export interface CheckDefinition {
  /** Stable ID. Set it: generated IDs depend on the check's position (`service:<id>:2`). */
  checkId?: string;
  /** Display name (default: generated from the service). */
  name?: string;
  /** URL Consul GETs (2xx passing, 429 warning, else critical). */
  http?: string;
  /** HTTP method (default GET). */
  method?: string;
  /** Request headers; a string is sent as a one-element list. */
  header?: Readonly<Record<string, string | readonly string[]>>;
  /** Request body. */
  body?: string;
  /** HTTPS or TLS gRPC check: do not verify the certificate (http and grpc checks only). */
  tlsSkipVerify?: boolean;
  /** HTTPS check: name to verify (Consul 1.10+; `consul.register` omits it for older agents). */
  tlsServerName?: string;
  /** `host:port` Consul connects to. */
  tcp?: string;
  /** `host:port[/service]` probed with the standard gRPC health protocol. */
  grpc?: string;
  /** gRPC check over TLS, verified unless `tlsSkipVerify` (grpc checks only). */
  grpcUseTls?: boolean;
  /** TTL check: the application must report within this period (`consul.agent.check.pass`). */
  ttl?: Duration;
  /** Alias check mirroring another service's health (on this node unless `aliasNode`). */
  aliasService?: string;
  /** Node of an alias check (alone: mirror the node's health). */
  aliasNode?: string;
  /** Probe period of http/tcp/grpc checks. */
  interval?: Duration;
  /** Probe timeout (Consul's default 10 s). */
  timeout?: Duration;
  /** Consul deregisters the service after the check stayed critical this long (minimum 1m). */
  deregisterCriticalServiceAfter?: Duration;
  /** Initial status; Consul's default is `critical`. */
  status?: HealthStatus;
  /** Free text shown with the check. */
  notes?: string;
  /** Consecutive successes before the status becomes passing. */
  successBeforePassing?: number;
  /** Consecutive failures before the status becomes critical. */
  failuresBeforeCritical?: number;
}

/** A standalone check for `consul.agent.check.register` (`id` instead of `checkId`). */
export interface CheckRegistration extends Omit<CheckDefinition, 'checkId'> {
  /** Check ID (default: the name). */
  id?: string;
  /** Check name (required). */
  name: string;
  /** Attach the check to this service instance. */
  serviceId?: string;
}

const STATUSES: readonly string[] = ['passing', 'warning', 'critical'];
const COMMON_KEYS = [
  'name',
  'http',
  'method',
  'header',
  'body',
  'tlsSkipVerify',
  'tlsServerName',
  'tcp',
  'grpc',
  'grpcUseTls',
  'ttl',
  'aliasService',
  'aliasNode',
  'interval',
  'timeout',
  'deregisterCriticalServiceAfter',
  'status',
  'notes',
  'successBeforePassing',
  'failuresBeforeCritical',
] as const;

/** Wire shape of a check embedded in a service registration (`CheckID`). */
export function checkDefinitionToWire(input: unknown, path: string): Record<string, unknown> {
  const check = checkObject(input, path);
  checkKnownKeys(check, ['checkId', ...COMMON_KEYS], path);
  return compact({
    CheckID: optionalString(check.checkId, `${path}.checkId`, true),
    ...checkBody(check, path),
  });
}

/** Wire shape of `PUT /v1/agent/check/register` (`ID`, `ServiceID`). */
export function checkRegistrationToWire(input: unknown, path = 'check'): Record<string, unknown> {
  const check = checkObject(input, path);
  checkKnownKeys(check, ['id', 'serviceId', ...COMMON_KEYS], path);
  requiredString(check.name, `${path}.name`);
  return compact({
    ID: optionalString(check.id, `${path}.id`, true),
    ServiceID: optionalString(check.serviceId, `${path}.serviceId`, true),
    ...checkBody(check, path),
  });
}

function checkBody(check: Record<string, unknown>, path: string): Record<string, unknown> {
  const kinds = (['http', 'tcp', 'grpc', 'ttl', 'alias'] as const).filter((k) =>
    k === 'alias'
      ? check.aliasService !== undefined || check.aliasNode !== undefined
      : check[k] !== undefined,
  );
  if (kinds.length !== 1) {
    throw new ConsulOptionError(
      path,
      'exactly one check kind (http, tcp, grpc, ttl or aliasService)',
      kinds.length === 0 ? 'none' : kinds.join(' + '),
    );
  }
  const kind = kinds[0];
  const interval = optionalWireDuration(check.interval as Duration | undefined, `${path}.interval`);
  if ((kind === 'http' || kind === 'tcp' || kind === 'grpc') && interval === undefined) {
    throw new ConsulOptionError(`${path}.interval`, `a duration for a ${kind} check`, undefined);
  }
  if (kind === 'alias' && interval !== undefined) {
    throw new ConsulOptionError(
      `${path}.interval`,
      'no interval on an alias check',
      check.interval,
    );
  }
  if (check.status !== undefined && !STATUSES.includes(check.status as string)) {
    throw new ConsulOptionError(`${path}.status`, 'passing, warning or critical', check.status);
  }
  const httpOnly = ['method', 'header', 'body'].find((k) => check[k] !== undefined);
  if (httpOnly && kind !== 'http') {
    throw new ConsulOptionError(`${path}.${httpOnly}`, 'only on an http check', check[httpOnly]);
  }
  // The agent stores these on any check and ignores them outside their kinds: a `grpcUseTls` on
  // a tcp check would silently probe in plaintext.
  if (check.grpcUseTls !== undefined && kind !== 'grpc') {
    throw new ConsulOptionError(`${path}.grpcUseTls`, 'only on a grpc check', check.grpcUseTls);
  }
  const tlsOnly = ['tlsSkipVerify', 'tlsServerName'].find((k) => check[k] !== undefined);
  if (tlsOnly && kind !== 'http' && kind !== 'grpc') {
    throw new ConsulOptionError(
      `${path}.${tlsOnly}`,
      'only on an http or grpc check',
      check[tlsOnly],
    );
  }
  return {
    Name: optionalString(check.name, `${path}.name`, true),
    HTTP: optionalUrl(check.http, `${path}.http`),
    Method: optionalString(check.method, `${path}.method`, true),
    Header: headerToWire(check.header, `${path}.header`),
    Body: optionalString(check.body, `${path}.body`),
    TLSSkipVerify: optionalBoolean(check.tlsSkipVerify, `${path}.tlsSkipVerify`),
    TLSServerName: optionalString(check.tlsServerName, `${path}.tlsServerName`, true),
    TCP: optionalString(check.tcp, `${path}.tcp`, true),
    GRPC: optionalString(check.grpc, `${path}.grpc`, true),
    GRPCUseTLS: optionalBoolean(check.grpcUseTls, `${path}.grpcUseTls`),
    TTL: optionalWireDuration(check.ttl as Duration | undefined, `${path}.ttl`),
    AliasService: optionalString(check.aliasService, `${path}.aliasService`, true),
    AliasNode: optionalString(check.aliasNode, `${path}.aliasNode`, true),
    Interval: interval,
    Timeout: optionalWireDuration(check.timeout as Duration | undefined, `${path}.timeout`),
    DeregisterCriticalServiceAfter: optionalWireDuration(
      check.deregisterCriticalServiceAfter as Duration | undefined,
      `${path}.deregisterCriticalServiceAfter`,
    ),
    Status: check.status,
    Notes: optionalString(check.notes, `${path}.notes`),
    SuccessBeforePassing: optionalInteger(
      check.successBeforePassing,
      `${path}.successBeforePassing`,
      0,
    ),
    FailuresBeforeCritical: optionalInteger(
      check.failuresBeforeCritical,
      `${path}.failuresBeforeCritical`,
      0,
    ),
  };
}

function optionalUrl(value: unknown, path: string): string | undefined {
  const text = optionalString(value, path, true);
  if (text !== undefined && !/^https?:\/\/[^/\s]+/i.test(text)) {
    throw new ConsulOptionError(path, 'an http:// or https:// URL', value);
  }
  return text;
}

function headerToWire(value: unknown, path: string): Record<string, string[]> | undefined {
  if (value === undefined) return undefined;
  const header = checkObject(value, path);
  const out: Record<string, string[]> = {};
  for (const [name, v] of Object.entries(header)) {
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) {
      throw new ConsulOptionError(`${path}.${name}`, 'a string or an array of strings', v);
    }
    out[name] = [...(list as string[])];
  }
  return out;
}
