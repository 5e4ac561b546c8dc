import {
  wireObject,
  wireOptionalIndex,
  wireOptionalString,
  wireString,
  wireStringMap,
} from '../internal/wire';

/** A catalog node. */
export interface CatalogNode {
  /** Node UUID. */
  id: string;
  /** Node name. */
  node: string;
  address: string;
  datacenter: string;
  /** `lan`, `wan`, `lan_ipv4`, `wan_ipv4`... → address; keys verbatim. */
  taggedAddresses: Record<string, string>;
  /** Node metadata; keys verbatim. */
  meta: Record<string, string>;
  createIndex: number | undefined;
  modifyIndex: number | undefined;
}

/** Consul's wire shape of a node. */
export interface CatalogNodeWire {
  ID?: string;
  Node: string;
  Address: string;
  Datacenter?: string;
  TaggedAddresses?: Record<string, string> | null;
  Meta?: Record<string, string> | null;
  CreateIndex?: number;
  ModifyIndex?: number;
}

/**
 * Converts Consul's wire shape to a {@link CatalogNode}; a field of the wrong type is a
 * `ConsulProtocolError` naming it.
 */
export function catalogNodeFromWire(wire: CatalogNodeWire): CatalogNode {
  const w = wireObject(wire, 'a node');
  return {
    id: wireOptionalString(w, 'ID') ?? '',
    node: wireString(w, 'Node'),
    address: wireString(w, 'Address'),
    datacenter: wireOptionalString(w, 'Datacenter') ?? '',
    taggedAddresses: wireStringMap(w, 'TaggedAddresses'),
    meta: wireStringMap(w, 'Meta'),
    createIndex: wireOptionalIndex(w, 'CreateIndex'),
    modifyIndex: wireOptionalIndex(w, 'ModifyIndex'),
  };
}
