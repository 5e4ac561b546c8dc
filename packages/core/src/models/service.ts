/** Traffic weights of a service instance (Consul's `Weights`). */
export interface ServiceWeights {
  /** Weight while the instance's aggregated status is passing (> 0). */
  passing: number;
  /** Weight while it is in warning (0: send no traffic). */
  warning: number;
}

/** An address/port pair of a service's `TaggedAddresses` (`lan`, `wan`, `lan_ipv4`...). */
export interface ServiceAddress {
  address: string;
  port: number;
}

/** A service instance as the agent and the health endpoints describe it. */
export interface AgentService {
  /** Instance ID, unique per agent. */
  id: string;
  /** Service name. */
  service: string;
  tags: string[];
  /** Empty when the instance uses its node's address (dial `service.address || node.address`). */
  address: string;
  port: number;
  /** User metadata; keys kept verbatim. */
  meta: Record<string, string>;
  weights: ServiceWeights;
  /** Named alternative addresses, keys verbatim (`lan`, `wan`, ...). Empty when none are set. */
  taggedAddresses: Record<string, ServiceAddress>;
  enableTagOverride: boolean;
  /** `''` for a typical service; `connect-proxy`, `mesh-gateway`... for Connect kinds. */
  kind: string;
  /** Datacenter (agent endpoints only). */
  datacenter: string | undefined;
  /** Enterprise namespace, when reported. */
  namespace: string | undefined;
  /** Hash of the definition (`GET /v1/agent/service/:id`), usable for hash-based blocking. */
  contentHash: string | undefined;
  /** Raft indexes (health and catalog endpoints only). */
  createIndex: number | undefined;
  modifyIndex: number | undefined;
}

/** Consul's wire shape of a service instance (agent and health endpoints). */
export interface AgentServiceWire {
  ID: string;
  Service: string;
  Tags?: string[] | null;
  Address?: string;
  Port?: number;
  Meta?: Record<string, string> | null;
  Weights?: { Passing: number; Warning: number } | null;
  TaggedAddresses?: Record<string, { Address: string; Port: number }> | null;
  EnableTagOverride?: boolean;
  Kind?: string;
  Datacenter?: string;
  Namespace?: string;
  ContentHash?: string;
  CreateIndex?: number;
  ModifyIndex?: number;
}

/** Maps Consul's `Weights`; absent weights are Consul's default `{1, 1}`. */
export function weightsFromWire(wire: AgentServiceWire['Weights']): ServiceWeights {
  return { passing: wire?.Passing ?? 1, warning: wire?.Warning ?? 1 };
}

/** Maps `TaggedAddresses` of a service, keeping the address names verbatim. */
export function serviceAddressesFromWire(
  wire: AgentServiceWire['TaggedAddresses'],
): Record<string, ServiceAddress> {
  const out: Record<string, ServiceAddress> = {};
  for (const [name, a] of Object.entries(wire ?? {}))
    out[name] = { address: a.Address, port: a.Port };
  return out;
}

/** Converts Consul's wire shape to an {@link AgentService}. */
export function agentServiceFromWire(wire: AgentServiceWire): AgentService {
  return {
    id: wire.ID,
    service: wire.Service,
    tags: wire.Tags ?? [],
    address: wire.Address ?? '',
    port: wire.Port ?? 0,
    meta: { ...(wire.Meta ?? {}) },
    weights: weightsFromWire(wire.Weights),
    taggedAddresses: serviceAddressesFromWire(wire.TaggedAddresses),
    enableTagOverride: wire.EnableTagOverride ?? false,
    kind: wire.Kind ?? '',
    datacenter: wire.Datacenter,
    namespace: wire.Namespace,
    contentHash: wire.ContentHash,
    createIndex: wire.CreateIndex,
    modifyIndex: wire.ModifyIndex,
  };
}
