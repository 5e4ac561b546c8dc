import {
  type ServiceAddress,
  type ServiceWeights,
  serviceAddressesFromWire,
  weightsFromWire,
} from './service';

/** One instance in the flat shape of `GET /v1/catalog/service/:name` (no health information). */
export interface CatalogService {
  /** Node UUID. */
  id: string;
  node: string;
  /** The node's address (dial `serviceAddress || address`). */
  address: string;
  datacenter: string;
  /** Node tagged addresses, keys verbatim. */
  taggedAddresses: Record<string, string>;
  /** Node metadata, keys verbatim. */
  nodeMeta: Record<string, string>;
  serviceId: string;
  serviceName: string;
  serviceTags: string[];
  /** Empty when the instance uses the node's address. */
  serviceAddress: string;
  servicePort: number;
  /** Service metadata, keys verbatim. */
  serviceMeta: Record<string, string>;
  serviceWeights: ServiceWeights;
  serviceTaggedAddresses: Record<string, ServiceAddress>;
  serviceEnableTagOverride: boolean;
  serviceKind: string;
  createIndex: number;
  modifyIndex: number;
}

/** Consul's wire shape of a flat catalog entry. */
export interface CatalogServiceWire {
  ID?: string;
  Node: string;
  Address: string;
  Datacenter?: string;
  TaggedAddresses?: Record<string, string> | null;
  NodeMeta?: Record<string, string> | null;
  ServiceID: string;
  ServiceName: string;
  ServiceTags?: string[] | null;
  ServiceAddress?: string;
  ServicePort?: number;
  ServiceMeta?: Record<string, string> | null;
  ServiceWeights?: { Passing: number; Warning: number } | null;
  ServiceTaggedAddresses?: Record<string, { Address: string; Port: number }> | null;
  ServiceEnableTagOverride?: boolean;
  ServiceKind?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Converts Consul's wire shape to a {@link CatalogService}. */
export function catalogServiceFromWire(wire: CatalogServiceWire): CatalogService {
  return {
    id: wire.ID ?? '',
    node: wire.Node,
    address: wire.Address,
    datacenter: wire.Datacenter ?? '',
    taggedAddresses: { ...(wire.TaggedAddresses ?? {}) },
    nodeMeta: { ...(wire.NodeMeta ?? {}) },
    serviceId: wire.ServiceID,
    serviceName: wire.ServiceName,
    serviceTags: wire.ServiceTags ?? [],
    serviceAddress: wire.ServiceAddress ?? '',
    servicePort: wire.ServicePort ?? 0,
    serviceMeta: { ...(wire.ServiceMeta ?? {}) },
    serviceWeights: weightsFromWire(wire.ServiceWeights),
    serviceTaggedAddresses: serviceAddressesFromWire(wire.ServiceTaggedAddresses),
    serviceEnableTagOverride: wire.ServiceEnableTagOverride ?? false,
    serviceKind: wire.ServiceKind ?? '',
    createIndex: wire.CreateIndex,
    modifyIndex: wire.ModifyIndex,
  };
}
