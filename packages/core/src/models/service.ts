import {
  type WireObject,
  wireInteger,
  wireObject,
  wireOptionalBoolean,
  wireOptionalIndex,
  wireOptionalInteger,
  wireOptionalObject,
  wireOptionalString,
  wireString,
  wireStringList,
  wireStringMap,
} from '../internal/wire';

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

/** Maps the `Weights`-like field `field` of `w`; absent weights are Consul's default `{1, 1}`. */
export function weightsFromWire(w: WireObject, field: string): ServiceWeights {
  const weights = wireOptionalObject(w, field);
  if (weights === undefined) return { passing: 1, warning: 1 };
  return {
    passing: wireOptionalInteger(weights, 'Passing') ?? 1,
    warning: wireOptionalInteger(weights, 'Warning') ?? 1,
  };
}

/** Maps the `TaggedAddresses`-like field `field` of `w`, keeping the address names verbatim. */
export function serviceAddressesFromWire(
  w: WireObject,
  field: string,
): Record<string, ServiceAddress> {
  const addresses = wireOptionalObject(w, field);
  const out: Record<string, ServiceAddress> = {};
  for (const name of Object.keys(addresses?.fields ?? {})) {
    const a = wireOptionalObject(addresses as WireObject, name);
    if (a === undefined) continue;
    out[name] = { address: wireString(a, 'Address'), port: wireInteger(a, 'Port') };
  }
  return out;
}

/**
 * Converts Consul's wire shape to an {@link AgentService}; a field of the wrong type is a
 * `ConsulProtocolError` naming it.
 */
export function agentServiceFromWire(wire: AgentServiceWire): AgentService {
  const w = wireObject(wire, 'a service');
  return {
    id: wireString(w, 'ID'),
    service: wireString(w, 'Service'),
    tags: wireStringList(w, 'Tags'),
    address: wireOptionalString(w, 'Address') ?? '',
    port: wireOptionalInteger(w, 'Port') ?? 0,
    meta: wireStringMap(w, 'Meta'),
    weights: weightsFromWire(w, 'Weights'),
    taggedAddresses: serviceAddressesFromWire(w, 'TaggedAddresses'),
    enableTagOverride: wireOptionalBoolean(w, 'EnableTagOverride') ?? false,
    kind: wireOptionalString(w, 'Kind') ?? '',
    datacenter: wireOptionalString(w, 'Datacenter'),
    namespace: wireOptionalString(w, 'Namespace'),
    contentHash: wireOptionalString(w, 'ContentHash'),
    createIndex: wireOptionalIndex(w, 'CreateIndex'),
    modifyIndex: wireOptionalIndex(w, 'ModifyIndex'),
  };
}
