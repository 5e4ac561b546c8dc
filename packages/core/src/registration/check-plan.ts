import { type Duration, formatGoDuration, toMillis } from '../duration';
import { ConsulOptionError } from '../errors';
import { type HealthStatus } from '../models/check';
import { type CheckDefinition } from '../models/check-definition';
import { type ServiceDefinition, serviceDefinitionToWire } from '../models/service-definition';
import { checkObject } from '../models/validate';
import {
  generateServiceId,
  type InterfaceTable,
  resolveServiceAddress,
  SERVICE_ID_PATTERN,
} from './identity';
import { type RegistrationCheck, type RegistrationOptions } from './types';

/**
 * Turns a user's {@link RegistrationDefinition} into the exact definition sent to the agent, with
 * every default applied and every field validated (errors name the field, e.g.
 * `service.checks[0].interval`) — before anything is sent.
 */

/** Kind of a check, from the field that defines it. */
export type CheckKind = 'http' | 'tcp' | 'grpc' | 'ttl' | 'alias';

/** A check as planned: its stable ID, kind and TTL, plus the definition sent to the agent. */
export interface PlannedCheck {
  /** Explicit, stable check ID (`<serviceId>:<kind>` unless given). */
  checkId: string;
  /** Kind of check. */
  kind: CheckKind;
  /** TTL in ms (TTL checks only). */
  ttlMs: number | undefined;
  /** Status the user asked for at registration, if any. */
  initialStatus: HealthStatus | undefined;
  /** The check as sent to the agent (shorthands resolved, defaults applied). */
  definition: CheckDefinition;
}

/** The validated registration: what to send, and what the heartbeat and reconciler need. */
export interface RegistrationPlan {
  /** Instance ID (generated unless given). */
  id: string;
  /** Service name. */
  name: string;
  /** Address registered (detected unless given). */
  address: string;
  /** Port registered. */
  port: number;
  /** Body for `consul.agent.service.register` (camelCase; checks carry explicit IDs). */
  service: ServiceDefinition;
  /** Every check, in the order of `check` then `checks`. */
  checks: PlannedCheck[];
}

/** Environment of {@link planRegistration} (parameters so that tests are deterministic). */
export interface PlanEnvironment {
  host?: string;
  interfaces?: InterfaceTable;
  random?: () => string;
}

/** Smallest interval/TTL the agent honours: shorter values are silently clamped to it (REG-4). */
export const MIN_CHECK_INTERVAL_MS = 1_000;
/** Smallest `DeregisterCriticalServiceAfter` the agent honours (REG-7). */
export const MIN_DEREGISTER_AFTER_MS = 60_000;
/** Default `DeregisterCriticalServiceAfter`: a crashed instance is reaped after a minute. */
export const DEFAULT_DEREGISTER_AFTER = '1m';
/** Default TTL of the heartbeat check added when a definition has none. */
export const DEFAULT_TTL = '10s';

const NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,254})$/;
const CHECK_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
const KINDS: readonly CheckKind[] = ['http', 'tcp', 'grpc', 'ttl', 'alias'];

/**
 * Validates a registration definition and applies the defaults: ID `name-host-port-<random>`,
 * the detected address, explicit check IDs, `DeregisterCriticalServiceAfter` on every check, and a
 * TTL heartbeat check when the definition has none. Throws {@link ConsulOptionError}.
 */
export function planRegistration(
  input: unknown,
  options: RegistrationOptions = {},
  env: PlanEnvironment = {},
): RegistrationPlan {
  const def = checkObject(input, 'service');
  const name = def.name;
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new ConsulOptionError(
      'service.name',
      'a name of letters, digits, ".", "_" or "-" starting with a letter or digit',
      name,
    );
  }
  const port = def.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConsulOptionError('service.port', 'an integer from 1 to 65535', port);
  }
  if (def.address !== undefined && typeof def.address !== 'string') {
    throw new ConsulOptionError('service.address', 'a string', def.address);
  }
  const address = resolveServiceAddress(def.address as string | undefined, env.interfaces);
  const id = def.id === undefined ? generateServiceId(name, port, env.host, env.random) : def.id;
  if (typeof id !== 'string' || !SERVICE_ID_PATTERN.test(id)) {
    throw new ConsulOptionError('service.id', 'an ID of letters, digits, ".", "_" or "-"', id);
  }
  const deregisterAfter = deregisterAfterOption(options.deregisterCriticalServiceAfter);
  // Checked even when the definition has checks of its own (it is unused then): a mistake either way.
  const defaultTtlMs = durationField(
    options.defaultTtl === undefined ? DEFAULT_TTL : options.defaultTtl,
    'options.defaultTtl',
  ) as number;
  if (defaultTtlMs < MIN_CHECK_INTERVAL_MS) {
    throw new ConsulOptionError(
      'options.defaultTtl',
      'at least 1s (the agent minimum)',
      options.defaultTtl,
    );
  }
  const ctx: CheckContext = { id, address, port, deregisterAfter, scheme: schemeOf(def.meta) };
  const ids = new IdAllocator(id);

  let check: PlannedCheck | undefined;
  if (def.check !== undefined) check = planCheck(def.check, 'service.check', ctx, ids);
  if (def.checks !== undefined && !Array.isArray(def.checks)) {
    throw new ConsulOptionError('service.checks', 'an array of checks', def.checks);
  }
  let checks = ((def.checks as unknown[] | undefined) ?? []).map((c, i) =>
    planCheck(c, `service.checks[${i}]`, ctx, ids),
  );
  if (check === undefined && def.checks === undefined) {
    const ttl = formatGoDuration(defaultTtlMs);
    checks = [
      planCheck(
        { name: `${name} heartbeat`, ttl, notes: 'TTL kept alive by the process (consulkit)' },
        'options.defaultTtl',
        ctx,
        ids,
      ),
    ];
  }
  const service: ServiceDefinition = {
    ...(def as unknown as ServiceDefinition),
    id,
    address,
    port,
    check: check?.definition,
    checks:
      def.checks === undefined && check !== undefined ? undefined : checks.map((c) => c.definition),
  };
  // Everything else (tags, meta limits, weights, tagged addresses, check fields) is checked by the
  // agent endpoint's own validator, which names fields the same way.
  serviceDefinitionToWire(stripUndefined(service), 'service');
  return {
    id,
    name,
    address,
    port,
    service: stripUndefined(service),
    checks: check === undefined ? checks : [check, ...checks],
  };
}

interface CheckContext {
  id: string;
  address: string;
  port: number;
  deregisterAfter: string;
  scheme: 'http' | 'https';
}

/** Hands out `<serviceId>:<kind>`, `<serviceId>:<kind>:2`... and rejects duplicate IDs. */
class IdAllocator {
  private readonly used = new Set<string>();
  private readonly perKind = new Map<CheckKind, number>();

  constructor(private readonly serviceId: string) {}

  take(kind: CheckKind, explicit: unknown, path: string): string {
    let id: string;
    if (explicit !== undefined) {
      if (typeof explicit !== 'string' || !CHECK_ID_PATTERN.test(explicit)) {
        throw new ConsulOptionError(
          `${path}.checkId`,
          'an ID of letters, digits, ".", "_", ":" or "-"',
          explicit,
        );
      }
      id = explicit;
    } else {
      const n = (this.perKind.get(kind) ?? 0) + 1;
      this.perKind.set(kind, n);
      id = n === 1 ? `${this.serviceId}:${kind}` : `${this.serviceId}:${kind}:${n}`;
      while (this.used.has(id)) id = `${id}_`;
    }
    if (this.used.has(id)) throw new ConsulOptionError(`${path}.checkId`, 'a unique check ID', id);
    this.used.add(id);
    return id;
  }
}

function planCheck(
  input: unknown,
  path: string,
  ctx: CheckContext,
  ids: IdAllocator,
): PlannedCheck {
  const raw = checkObject(input, path) as RegistrationCheck & Record<string, unknown>;
  const kinds = KINDS.filter((k) =>
    k === 'alias'
      ? raw.aliasService !== undefined || raw.aliasNode !== undefined
      : raw[k] !== undefined,
  );
  if (kinds.length !== 1) {
    throw new ConsulOptionError(
      path,
      'exactly one check kind (http, tcp, grpc, ttl or aliasService)',
      kinds.length === 0 ? 'none' : kinds.join(' + '),
    );
  }
  const kind = kinds[0] as CheckKind;
  const hostPort = `${ctx.address.includes(':') ? `[${ctx.address}]` : ctx.address}:${ctx.port}`;
  const definition: CheckDefinition = { ...(raw as CheckDefinition) };
  if (kind === 'http') definition.http = httpTarget(raw.http, `${path}.http`, ctx.scheme, hostPort);
  if (raw.tcp === true) definition.tcp = hostPort;
  if (raw.grpc === true) definition.grpc = hostPort;
  for (const field of ['interval', 'ttl'] as const) {
    const ms = durationField(raw[field], `${path}.${field}`);
    if (ms !== undefined && ms < MIN_CHECK_INTERVAL_MS) {
      throw new ConsulOptionError(
        `${path}.${field}`,
        'at least 1s (the agent minimum)',
        raw[field],
      );
    }
    if (ms !== undefined) definition[field] = formatGoDuration(ms);
  }
  if (kind !== 'ttl' && kind !== 'alias' && raw.interval === undefined) {
    throw new ConsulOptionError(`${path}.interval`, `a duration for a ${kind} check`, undefined);
  }
  if (kind === 'ttl' && raw.interval !== undefined) {
    throw new ConsulOptionError(`${path}.interval`, 'no interval on a ttl check', raw.interval);
  }
  definition.deregisterCriticalServiceAfter =
    raw.deregisterCriticalServiceAfter === undefined
      ? ctx.deregisterAfter
      : deregisterAfterValue(
          raw.deregisterCriticalServiceAfter,
          `${path}.deregisterCriticalServiceAfter`,
        );
  const checkId = ids.take(kind, raw.checkId, path);
  definition.checkId = checkId;
  return {
    checkId,
    kind,
    ttlMs: kind === 'ttl' ? toMillis(definition.ttl as Duration, `${path}.ttl`) : undefined,
    initialStatus: raw.status,
    definition: stripUndefined(definition),
  };
}

function httpTarget(value: unknown, path: string, scheme: string, hostPort: string): string {
  if (typeof value === 'string' && value.startsWith('/')) return `${scheme}://${hostPort}${value}`;
  if (typeof value !== 'string' || !/^https?:\/\/[^/\s]+/i.test(value)) {
    throw new ConsulOptionError(path, 'a path such as "/health" or an http(s):// URL', value);
  }
  return value;
}

function durationField(value: unknown, path: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = toMillis(value as Duration, path);
  if (ms <= 0) throw new ConsulOptionError(path, 'a positive duration', value);
  return ms;
}

function deregisterAfterOption(value: Duration | undefined): string {
  return deregisterAfterValue(
    value === undefined ? DEFAULT_DEREGISTER_AFTER : value,
    'options.deregisterCriticalServiceAfter',
  );
}

function deregisterAfterValue(value: unknown, path: string): string {
  const ms = toMillis(value as Duration, path);
  if (ms < MIN_DEREGISTER_AFTER_MS) {
    throw new ConsulOptionError(path, 'at least 1m (the agent minimum)', value);
  }
  return formatGoDuration(ms);
}

function schemeOf(meta: unknown): 'http' | 'https' {
  const scheme = (meta as Record<string, unknown> | undefined)?.scheme;
  return typeof scheme === 'string' && scheme.toLowerCase() === 'https' ? 'https' : 'http';
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
