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

/** Converts Consul's wire shape to a {@link HealthCheck}. */
export function healthCheckFromWire(wire: HealthCheckWire): HealthCheck {
  return {
    node: wire.Node,
    checkId: wire.CheckID,
    name: wire.Name,
    status: wire.Status,
    notes: wire.Notes ?? '',
    output: wire.Output ?? '',
    serviceId: wire.ServiceID ?? '',
    serviceName: wire.ServiceName ?? '',
    serviceTags: wire.ServiceTags ?? [],
    type: wire.Type ?? '',
    createIndex: wire.CreateIndex,
    modifyIndex: wire.ModifyIndex,
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
