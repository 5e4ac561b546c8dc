import { wireList, wireObject } from '../internal/wire';
import { type HealthCheck, type HealthCheckWire, healthCheckFromWire } from './check';
import { type CatalogNode, type CatalogNodeWire, catalogNodeFromWire } from './node';
import { type AgentService, type AgentServiceWire, agentServiceFromWire } from './service';

/** One service instance with its node and every check that applies to it (node checks included). */
export interface ServiceEntry {
  /** The node the instance runs on (its address is the fallback: see {@link entryAddress}). */
  node: CatalogNode;
  /** The instance. */
  service: AgentService;
  /** Its checks and its node's (`serfHealth`, maintenance). */
  checks: HealthCheck[];
}

/** Consul's wire shape of a health/prepared-query entry. */
export interface ServiceEntryWire {
  Node: CatalogNodeWire;
  Service: AgentServiceWire;
  Checks: HealthCheckWire[] | null;
}

/** Converts Consul's wire shape to a {@link ServiceEntry}. */
export function serviceEntryFromWire(wire: ServiceEntryWire): ServiceEntry {
  const w = wireObject(wire, 'a service entry');
  return {
    node: catalogNodeFromWire(w.fields.Node as CatalogNodeWire),
    service: agentServiceFromWire(w.fields.Service as AgentServiceWire),
    checks: (wireList(w, 'Checks') as HealthCheckWire[]).map(healthCheckFromWire),
  };
}

/** The address to dial for an entry: the service's own address, else its node's (DSC-5). */
export function entryAddress(entry: ServiceEntry): string {
  return entry.service.address || entry.node.address;
}
