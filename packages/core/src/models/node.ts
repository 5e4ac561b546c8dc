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

/** Converts Consul's wire shape to a {@link CatalogNode}. */
export function catalogNodeFromWire(wire: CatalogNodeWire): CatalogNode {
  return {
    id: wire.ID ?? '',
    node: wire.Node,
    address: wire.Address,
    datacenter: wire.Datacenter ?? '',
    taggedAddresses: { ...(wire.TaggedAddresses ?? {}) },
    meta: { ...(wire.Meta ?? {}) },
    createIndex: wire.CreateIndex,
    modifyIndex: wire.ModifyIndex,
  };
}
