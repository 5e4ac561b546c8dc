import { decodeConsulJson, stringList } from '../internal/json';
import { encodeSegment } from '../internal/path';
import {
  type CatalogDeregistration,
  type CatalogRegistration,
  catalogDeregistrationToWire,
  catalogRegistrationToWire,
} from '../models/catalog-registration';
import {
  type CatalogService,
  type CatalogServiceWire,
  catalogServiceFromWire,
} from '../models/catalog-service';
import { type CatalogNode, type CatalogNodeWire, catalogNodeFromWire } from '../models/node';
import { type AgentService, type AgentServiceWire, agentServiceFromWire } from '../models/service';
import {
  type CallOptions,
  type QueryOptions,
  type WithMeta,
  type WriteOptions,
  withMeta,
} from '../query';
import { type Transport } from '../transport';
import { tagQuery } from './health';
import { mapList, mapRecord, readJson, readBoolean } from './request';

/** Options of `consul.catalog.service`. */
export interface CatalogServiceOptions extends QueryOptions {
  /** Only instances with this tag; with a list, instances carrying all of them. */
  tag?: string | readonly string[];
}

/** `consul.catalog.node(name)`: a node and the services registered on it. */
export interface CatalogNodeServices {
  node: CatalogNode;
  /** Instances on the node, by instance ID. */
  services: Record<string, AgentService>;
}

interface NodeServicesWire {
  Node: CatalogNodeWire;
  Services: Record<string, AgentServiceWire> | null;
}

/** The catalog: `/v1/catalog`. Carries no health: use `consul.health.service` to discover. */
export class CatalogApi {
  constructor(protected readonly transport: Transport) {}

  /** Known datacenters, nearest first. */
  async datacenters(options: CallOptions = {}): Promise<string[]> {
    const res = await this.transport.send({
      method: 'GET',
      path: '/v1/catalog/datacenters',
      options,
    });
    return decodeConsulJson(res, (wire: string[] | null) => stringList(wire ?? []));
  }

  /** Nodes of the datacenter (`near`, `nodeMeta`, `filter`, blocking). */
  async nodes(options: QueryOptions = {}): Promise<WithMeta<CatalogNode[]>> {
    return readJson(
      this.transport,
      {
        path: '/v1/catalog/nodes',
        map: (w: CatalogNodeWire[] | null) => mapList(w, catalogNodeFromWire),
      },
      options,
    );
  }

  /**
   * Service names with the union of their instances' tags. Under ACLs, services the token cannot
   * read are silently left out (an empty result may be a token problem).
   */
  async services(options: QueryOptions = {}): Promise<WithMeta<Record<string, string[]>>> {
    return readJson(
      this.transport,
      {
        path: '/v1/catalog/services',
        map: (w: Record<string, string[] | null> | null) =>
          mapRecord(w, (tags) => stringList(tags ?? [])),
      },
      options,
    );
  }

  /** Instances of a service in the flat catalog shape (`tag`, `filter`, `near`, `nodeMeta`, blocking, `cached`). */
  async service(
    name: string,
    options: CatalogServiceOptions = {},
  ): Promise<WithMeta<CatalogService[]>> {
    return readJson(
      this.transport,
      {
        path: `/v1/catalog/service/${encodeSegment(name, 'name')}`,
        query: { tag: tagQuery(options.tag) },
        map: (w: CatalogServiceWire[] | null) => mapList(w, catalogServiceFromWire),
      },
      options,
    );
  }

  /** A node and its services; `undefined` when the node is unknown. */
  async node(
    name: string,
    options: QueryOptions = {},
  ): Promise<WithMeta<CatalogNodeServices> | undefined> {
    const res = await this.transport.send({
      method: 'GET',
      path: `/v1/catalog/node/${encodeSegment(name, 'name')}`,
      options,
      allowStatus: [404],
    });
    options.onMeta?.(res.meta);
    if (res.status === 404) return undefined;
    const node = decodeConsulJson(res, (wire: NodeServicesWire | null) =>
      wire
        ? {
            node: catalogNodeFromWire(wire.Node),
            services: mapRecord(wire.Services, agentServiceFromWire),
          }
        : undefined,
    );
    return node ? withMeta(node, res.meta) : undefined;
  }

  /** Writes a node (and optionally a service and checks) to the catalog. Resolves Consul's boolean. */
  async register(registration: CatalogRegistration, options: WriteOptions = {}): Promise<boolean> {
    const res = await this.transport.send({
      method: 'PUT',
      path: '/v1/catalog/register',
      json: catalogRegistrationToWire(registration),
      options,
      idempotent: true,
    });
    return readBoolean(res);
  }

  /** Removes a node, or one service or check of it, from the catalog. Resolves Consul's boolean. */
  async deregister(
    deregistration: CatalogDeregistration,
    options: WriteOptions = {},
  ): Promise<boolean> {
    const res = await this.transport.send({
      method: 'PUT',
      path: '/v1/catalog/deregister',
      json: catalogDeregistrationToWire(deregistration),
      options,
      idempotent: true,
    });
    return readBoolean(res);
  }
}
