import {
  wireHealthStatus,
  wireObject,
  wireOptionalIndex,
  wireOptionalString,
  wireString,
  wireStringList,
} from '../internal/wire';

/** Status of a health check. */
export type HealthStatus = 'passing' | 'warning' | 'critical';

/** A health check as the agent, health and catalog endpoints report it. */
export interface HealthCheck {
  /** Node the check runs on. */
  node: string;
  checkId: string;
  name: string;
  status: HealthStatus;
  notes: string;
  /** Last output (HTTP body excerpt, TTL note...). */
  output: string;
  /** Empty for node checks such as `serfHealth`. */
  serviceId: string;
  serviceName: string;
  serviceTags: string[];
  /** `ttl`, `http`, `tcp`, `grpc`, `script`, `alias`... (empty for `serfHealth` on some versions). */
  type: string;
  /** Raft indexes (health and catalog endpoints only). */
  createIndex: number | undefined;
  modifyIndex: number | undefined;
}

/** Consul's wire shape of a health check. */
export interface HealthCheckWire {
  Node: string;
  CheckID: string;
  Name: string;
  Status: HealthStatus;
  Notes?: string;
  Output?: string;
  ServiceID?: string;
  ServiceName?: string;
  ServiceTags?: string[] | null;
  Type?: string;
  CreateIndex?: number;
  ModifyIndex?: number;
}

/**
 * Converts Consul's wire shape to a {@link HealthCheck}; a field of the wrong type is a
 * `ConsulProtocolError` naming it.
 */
export function healthCheckFromWire(wire: HealthCheckWire): HealthCheck {
  const w = wireObject(wire, 'a health check');
  return {
    node: wireString(w, 'Node'),
    checkId: wireString(w, 'CheckID'),
    name: wireString(w, 'Name'),
    status: wireHealthStatus(w, 'Status'),
    notes: wireOptionalString(w, 'Notes') ?? '',
    output: wireOptionalString(w, 'Output') ?? '',
    serviceId: wireOptionalString(w, 'ServiceID') ?? '',
    serviceName: wireOptionalString(w, 'ServiceName') ?? '',
    serviceTags: wireStringList(w, 'ServiceTags'),
    type: wireOptionalString(w, 'Type') ?? '',
    createIndex: wireOptionalIndex(w, 'CreateIndex'),
    modifyIndex: wireOptionalIndex(w, 'ModifyIndex'),
  };
}

/** The worst status of a list (critical > warning > passing); `passing` for an empty list. */
export function aggregateStatus(checks: readonly { status: HealthStatus }[]): HealthStatus {
  let worst: HealthStatus = 'passing';
  for (const { status } of checks) {
    if (status === 'critical') return 'critical';
    if (status === 'warning') worst = 'warning';
  }
  return worst;
}
