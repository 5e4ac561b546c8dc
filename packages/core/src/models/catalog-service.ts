import {
  wireIndex,
  wireObject,
  wireOptionalBoolean,
  wireOptionalInteger,
  wireOptionalString,
  wireString,
  wireStringList,
  wireStringMap,
} from '../internal/wire';
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

/**
 * Converts Consul's wire shape to a {@link CatalogService}; a field of the wrong type is a
 * `ConsulProtocolError` naming it.
 */
export function catalogServiceFromWire(wire: CatalogServiceWire): CatalogService {
  const w = wireObject(wire, 'a catalog service');
  return {
    id: wireOptionalString(w, 'ID') ?? '',
    node: wireString(w, 'Node'),
    address: wireString(w, 'Address'),
    datacenter: wireOptionalString(w, 'Datacenter') ?? '',
    taggedAddresses: wireStringMap(w, 'TaggedAddresses'),
    nodeMeta: wireStringMap(w, 'NodeMeta'),
    serviceId: wireString(w, 'ServiceID'),
    serviceName: wireString(w, 'ServiceName'),
    serviceTags: wireStringList(w, 'ServiceTags'),
    serviceAddress: wireOptionalString(w, 'ServiceAddress') ?? '',
    servicePort: wireOptionalInteger(w, 'ServicePort') ?? 0,
    serviceMeta: wireStringMap(w, 'ServiceMeta'),
    serviceWeights: weightsFromWire(w, 'ServiceWeights'),
    serviceTaggedAddresses: serviceAddressesFromWire(w, 'ServiceTaggedAddresses'),
    serviceEnableTagOverride: wireOptionalBoolean(w, 'ServiceEnableTagOverride') ?? false,
    serviceKind: wireOptionalString(w, 'ServiceKind') ?? '',
    createIndex: wireIndex(w, 'CreateIndex'),
    modifyIndex: wireIndex(w, 'ModifyIndex'),
  };
}
