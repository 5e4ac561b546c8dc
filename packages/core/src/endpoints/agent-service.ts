import { type Duration, formatGoDuration, toMillis } from '../duration';
import { ConsulOptionError, ConsulError } from '../errors';
import { encodeSegment } from '../internal/path';
import { decodeConsulJson } from '../internal/json';
import { type HealthCheck, type HealthCheckWire, healthCheckFromWire } from '../models/check';
import { type AgentService, type AgentServiceWire, agentServiceFromWire } from '../models/service';
import { type ServiceDefinition, serviceDefinitionToWire } from '../models/service-definition';
import { type CallOptions, type QueryMeta, type WriteOptions } from '../query';
import { type Transport } from '../transport';

/** Options of `consul.agent.service(id)`: optional hash-based blocking on the definition. */
export interface AgentServiceReadOptions extends CallOptions {
  /** `contentHash` of a previous answer: wait until the definition changes (or `wait` elapses). */
  hash?: string;
  /** Longest wait of a hash-blocking read. Default 60 s. */
  wait?: Duration;
  /** Receives the answer's metadata. */
  onMeta?: (meta: QueryMeta) => void;
}

/** Options of `consul.agent.service.register`. */
export interface ServiceRegisterOptions extends WriteOptions {
  /**
   * Remove checks of this instance that are not in the new definition (`?replace-existing-checks`).
   * Without it, re-registering keeps old checks: use it for idempotent registration.
   */
  replaceExistingChecks?: boolean;
}

/** Local health of a service instance, as the agent itself sees it (no server round trip). */
export type AgentHealthStatus = 'passing' | 'warning' | 'critical' | 'maintenance' | 'unknown';

/** `consul.agent.service.health(id)`: the status plus the instance and its checks. */
export interface AgentServiceHealth {
  /** `unknown` when the agent has no instance with that ID. */
  status: AgentHealthStatus;
  /** The instance; `undefined` when unknown. */
  service: AgentService | undefined;
  /** Its checks as the agent sees them. */
  checks: HealthCheck[];
}

/** `consul.agent.service.healthByName(name)`: the worst status over every local instance. */
export interface AgentServicesHealth {
  /** `unknown` when the agent has no instance of that service. */
  status: AgentHealthStatus;
  /** Every local instance of the service, with its own status and checks. */
  instances: Array<{ status: AgentHealthStatus; service: AgentService; checks: HealthCheck[] }>;
}

/**
 * `consul.agent.service`: call it to read one local instance (`undefined` when unknown), or use its
 * methods to register, deregister, drain and probe instances on the local agent.
 */
export interface AgentServiceApi {
  /**
   * Reads one instance registered on this agent; `undefined` when the agent does not know it. The
   * instance's own `meta` is the service metadata, so the answer's query metadata (its index) comes
   * through `options.onMeta` instead of a `meta` property.
   */
  (id: string, options?: AgentServiceReadOptions): Promise<AgentService | undefined>;
  /** Registers (upserts) an instance. Validates the definition first (`ConsulOptionError`). */
  register(definition: ServiceDefinition, options?: ServiceRegisterOptions): Promise<void>;
  /**
   * Deregisters an instance and its checks. Resolves `false` when Consul said it did not know the ID
   * (current versions: 404; 1.8 with ACLs: 500 `Unknown service`), `true` otherwise. Consul 1.8
   * without ACLs answers 200 either way, so `true` means "not registered any more".
   */
  deregister(id: string, options?: WriteOptions): Promise<boolean>;
  /**
   * Puts an instance in maintenance (a critical `_service_maintenance:<id>` check: it leaves
   * `passing` results) or takes it out. Throws `ConsulNotFoundError` for an unknown ID.
   */
  maintenance(id: string, enable: boolean, reason?: string, options?: WriteOptions): Promise<void>;
  /** Local health of one instance; the status comes from the HTTP code and is returned, not thrown. */
  health(id: string, options?: CallOptions): Promise<AgentServiceHealth>;
  /** Local health of every instance of a service on this agent (worst status first). */
  healthByName(name: string, options?: CallOptions): Promise<AgentServicesHealth>;
}

interface AgentHealthWire {
  AggregatedStatus: AgentHealthStatus;
  Service: AgentServiceWire;
  Checks: HealthCheckWire[] | null;
}

/** Builds the callable `consul.agent.service` object. */
export function createAgentServiceApi(transport: Transport): AgentServiceApi {
  const read = async (id: string, options: AgentServiceReadOptions = {}) => {
    const path = `/v1/agent/service/${encodeSegment(id, 'id')}`;
    let query: Record<string, string> | undefined;
    let timeout = options.timeout;
    if (options.hash !== undefined) {
      const waitMs = options.wait === undefined ? 60_000 : toMillis(options.wait, 'wait');
      if (waitMs <= 0) throw new ConsulOptionError('wait', 'a positive duration', options.wait);
      query = { hash: options.hash, wait: formatGoDuration(waitMs) };
      const base =
        timeout === undefined ? transport.config.timeoutMs : toMillis(timeout, 'timeout');
      timeout = waitMs + waitMs / 16 + base;
    }
    const res = await transport.send({
      method: 'GET',
      path,
      query,
      options: { signal: options.signal, token: options.token, timeout },
      allowStatus: [404],
    });
    options.onMeta?.(res.meta);
    if (res.status === 404) return undefined;
    // Not withMeta(): it would hide the service's own `meta` (its metadata) behind the query's.
    return decodeConsulJson(res, agentServiceFromWire);
  };

  const api: AgentServiceApi = Object.assign(read, {
    async register(definition: ServiceDefinition, options: ServiceRegisterOptions = {}) {
      const body = serviceDefinitionToWire(definition);
      await transport.send({
        method: 'PUT',
        path: '/v1/agent/service/register',
        query: { 'replace-existing-checks': options.replaceExistingChecks === true },
        json: body,
        options,
        idempotent: true, // an upsert of the same definition
      });
    },

    async deregister(id: string, options: WriteOptions = {}) {
      try {
        const res = await transport.send({
          method: 'PUT',
          path: `/v1/agent/service/deregister/${encodeSegment(id, 'id')}`,
          options,
          idempotent: true,
          allowStatus: [404],
        });
        return res.status !== 404;
      } catch (err) {
        // Consul 1.8 with ACLs enabled answers an unknown ID with `500 Unknown service {"id" {}}`.
        if (
          err instanceof ConsulError &&
          err.status === 500 &&
          /unknown service/i.test(err.body ?? '')
        ) {
          return false;
        }
        throw err;
      }
    },

    async maintenance(id: string, enable: boolean, reason?: string, options: WriteOptions = {}) {
      if (typeof enable !== 'boolean') throw new ConsulOptionError('enable', 'a boolean', enable);
      await transport.send({
        method: 'PUT',
        path: `/v1/agent/service/maintenance/${encodeSegment(id, 'id')}`,
        // `enable` needs an explicit value: a bare `?enable` is "missing value" to Consul.
        query: { enable: String(enable), reason: reason || undefined },
        options,
        idempotent: true,
      });
    },

    async health(id: string, options: CallOptions = {}): Promise<AgentServiceHealth> {
      const res = await transport.send({
        method: 'GET',
        path: `/v1/agent/health/service/id/${encodeSegment(id, 'id')}`,
        options,
        allowStatus: [404, 429, 503],
      });
      if (res.status === 404) return { status: 'unknown', service: undefined, checks: [] };
      return decodeConsulJson(res, healthFromWire);
    },

    async healthByName(name: string, options: CallOptions = {}): Promise<AgentServicesHealth> {
      const res = await transport.send({
        method: 'GET',
        path: `/v1/agent/health/service/name/${encodeSegment(name, 'name')}`,
        options,
        allowStatus: [404, 429, 503],
      });
      if (res.status === 404) return { status: 'unknown', instances: [] };
      const instances = decodeConsulJson(res, (wire: AgentHealthWire[] | null) =>
        (wire ?? []).map((w) => ({
          ...healthFromWire(w),
          service: agentServiceFromWire(w.Service),
        })),
      );
      return { status: statusFromCode(res.status, instances), instances };
    },
  });
  return api;
}

function healthFromWire(wire: AgentHealthWire): AgentServiceHealth {
  return {
    status: wire.AggregatedStatus,
    service: agentServiceFromWire(wire.Service),
    checks: (wire.Checks ?? []).map(healthCheckFromWire),
  };
}

/** The aggregated status of several instances: Consul puts it in the HTTP code. */
function statusFromCode(
  code: number,
  instances: ReadonlyArray<{ status: AgentHealthStatus }>,
): AgentHealthStatus {
  if (code === 200) return 'passing';
  if (code === 429) return 'warning';
  return instances.some((i) => i.status === 'maintenance') &&
    !instances.some((i) => i.status === 'critical')
    ? 'maintenance'
    : 'critical';
}
