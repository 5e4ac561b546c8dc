import { ConsulOptionError } from '../errors';
import { createdId, decodeConsulJson } from '../internal/json';
import { encodeSegment } from '../internal/path';
import {
  type ServiceEntry,
  type ServiceEntryWire,
  serviceEntryFromWire,
} from '../models/service-entry';
import {
  compact,
  optionalBoolean,
  optionalInteger,
  optionalStringList,
  optionalWireDuration,
  requiredString,
  checkObject,
  checkKnownKeys,
  optionalString,
} from '../models/validate';
import { type Duration, parseGoDuration } from '../duration';
import {
  type CallOptions,
  type QueryOptions,
  type WithMeta,
  type WriteOptions,
  withMeta,
} from '../query';
import { type Transport } from '../transport';
import { mapList, readJson } from './request';

/** The service part of a prepared query. */
export interface PreparedQueryService {
  /** Service name. */
  service: string;
  /** Try other datacenters when no healthy instance is local. */
  failover?: { nearestN?: number; datacenters?: readonly string[] };
  /** Exclude instances in warning too (default: only critical ones are excluded). */
  onlyPassing?: boolean;
  /** Sort by RTT from this node (`_agent` for the caller's agent). */
  near?: string;
  /** Tags every instance must have; `!tag` excludes. */
  tags?: readonly string[];
  nodeMeta?: Readonly<Record<string, string>>;
  serviceMeta?: Readonly<Record<string, string>>;
  /** Checks to ignore when filtering by health. */
  ignoreCheckIds?: readonly string[];
}

/** A prepared query definition (camelCase). */
export interface PreparedQueryDefinition {
  /** Name to execute it by (also a DNS name: `<name>.query.consul`). */
  name?: string;
  /** Delete the query when this session is invalidated. */
  session?: string;
  /** ACL token to execute the query with (stored with it). */
  token?: string;
  service: PreparedQueryService;
  /** DNS TTL of answers. */
  dns?: { ttl?: Duration };
}

/** A stored prepared query, as listed (`dns.ttl` in ms). */
export interface PreparedQueryEntry extends PreparedQueryDefinition {
  id: string;
  dns: { ttl: number | undefined };
  createIndex: number;
  modifyIndex: number;
}

/** Options of `consul.query.execute`. */
export interface PreparedQueryExecuteOptions extends CallOptions {
  /** Sort by RTT from this node (`_agent` for the local agent). */
  near?: string;
  /** At most this many instances. */
  limit?: number;
  /** Datacenter to execute in. */
  dc?: string;
}

/** The answer of a prepared query. */
export interface PreparedQueryResult {
  /** Service queried. */
  service: string;
  /** Healthy instances, in the order the query chose. */
  nodes: ServiceEntry[];
  /** DNS TTL configured on the query, in ms (`undefined` when unset). */
  dns: { ttl: number | undefined };
  /** Datacenter that answered (another one after a failover). */
  datacenter: string;
  /** How many datacenters were tried after the local one. */
  failovers: number;
}

interface QueryWire {
  ID: string;
  Name?: string;
  Session?: string;
  Token?: string;
  Service: {
    Service: string;
    Failover?: { NearestN?: number; Datacenters?: string[] | null };
    OnlyPassing?: boolean;
    Near?: string;
    Tags?: string[] | null;
    NodeMeta?: Record<string, string> | null;
    ServiceMeta?: Record<string, string> | null;
    IgnoreCheckIDs?: string[] | null;
  };
  DNS?: { TTL?: string };
  CreateIndex: number;
  ModifyIndex: number;
}

interface ExecuteWire {
  Service: string;
  Nodes: ServiceEntryWire[] | null;
  DNS?: { TTL?: string };
  Datacenter: string;
  Failovers: number;
}

/** A Go duration from Consul (`'10s'`) in ms; `undefined` when empty. */
function parseTtl(ttl: string | undefined): number | undefined {
  return ttl ? parseGoDuration(ttl) : undefined;
}

function queryFromWire(w: QueryWire): PreparedQueryEntry {
  const s = w.Service;
  return {
    id: w.ID,
    name: w.Name ?? '',
    session: w.Session || undefined,
    token: w.Token || undefined,
    service: {
      service: s.Service,
      failover: {
        nearestN: s.Failover?.NearestN ?? 0,
        datacenters: s.Failover?.Datacenters ?? [],
      },
      onlyPassing: s.OnlyPassing ?? false,
      near: s.Near ?? '',
      tags: s.Tags ?? [],
      nodeMeta: { ...(s.NodeMeta ?? {}) },
      serviceMeta: { ...(s.ServiceMeta ?? {}) },
      ignoreCheckIds: s.IgnoreCheckIDs ?? [],
    },
    dns: { ttl: parseTtl(w.DNS?.TTL) },
    createIndex: w.CreateIndex,
    modifyIndex: w.ModifyIndex,
  };
}

/** Validates a {@link PreparedQueryDefinition} and builds its wire body. */
export function preparedQueryToWire(input: unknown): Record<string, unknown> {
  const path = 'query';
  const q = checkObject(input, path);
  checkKnownKeys(q, ['name', 'session', 'token', 'service', 'dns'], path);
  const s = checkObject(q.service, `${path}.service`);
  const sp = `${path}.service`;
  checkKnownKeys(
    s,
    [
      'service',
      'failover',
      'onlyPassing',
      'near',
      'tags',
      'nodeMeta',
      'serviceMeta',
      'ignoreCheckIds',
    ],
    sp,
  );
  const failover = s.failover === undefined ? undefined : checkObject(s.failover, `${sp}.failover`);
  const dns = q.dns === undefined ? undefined : checkObject(q.dns, `${path}.dns`);
  return compact({
    Name: optionalString(q.name, `${path}.name`, true),
    Session: optionalString(q.session, `${path}.session`, true),
    Token: optionalString(q.token, `${path}.token`),
    Service: compact({
      Service: requiredString(s.service, `${sp}.service`),
      Failover: failover
        ? compact({
            NearestN: optionalInteger(failover.nearestN, `${sp}.failover.nearestN`, 0),
            Datacenters: optionalStringList(failover.datacenters, `${sp}.failover.datacenters`),
          })
        : undefined,
      OnlyPassing: optionalBoolean(s.onlyPassing, `${sp}.onlyPassing`),
      Near: optionalString(s.near, `${sp}.near`, true),
      Tags: optionalStringList(s.tags, `${sp}.tags`),
      NodeMeta:
        s.nodeMeta === undefined ? undefined : { ...checkObject(s.nodeMeta, `${sp}.nodeMeta`) },
      ServiceMeta:
        s.serviceMeta === undefined
          ? undefined
          : { ...checkObject(s.serviceMeta, `${sp}.serviceMeta`) },
      IgnoreCheckIDs: optionalStringList(s.ignoreCheckIds, `${sp}.ignoreCheckIds`),
    }),
    DNS: dns
      ? compact({ TTL: optionalWireDuration(dns.ttl as Duration | undefined, `${path}.dns.ttl`) })
      : undefined,
  });
}

/** Prepared queries: `/v1/query` (server-side discovery with failover across datacenters). */
export class PreparedQueryApi {
  constructor(protected readonly transport: Transport) {}

  /** Executes a query by ID or name. Unknown queries throw `ConsulNotFoundError`. */
  async execute(
    idOrName: string,
    options: PreparedQueryExecuteOptions = {},
  ): Promise<WithMeta<PreparedQueryResult>> {
    if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
      throw new ConsulOptionError('limit', 'a positive integer', options.limit);
    }
    const res = await this.transport.send({
      method: 'GET',
      path: `/v1/query/${encodeSegment(idOrName, 'idOrName')}/execute`,
      query: { near: options.near, limit: options.limit },
      options: {
        signal: options.signal,
        token: options.token,
        timeout: options.timeout,
        dc: options.dc,
      },
    });
    const result = decodeConsulJson(res, (w: ExecuteWire) => ({
      service: w.Service,
      nodes: mapList(w.Nodes, serviceEntryFromWire),
      dns: { ttl: parseTtl(w.DNS?.TTL) },
      datacenter: w.Datacenter,
      failovers: w.Failovers ?? 0,
    }));
    return withMeta(result, res.meta);
  }

  /** Creates a query and resolves its ID. */
  async create(definition: PreparedQueryDefinition, options: WriteOptions = {}): Promise<string> {
    const res = await this.transport.send({
      method: 'POST',
      path: '/v1/query',
      json: preparedQueryToWire(definition),
      options,
      idempotent: false,
    });
    return decodeConsulJson(res, createdId);
  }

  /** Replaces a query's definition. */
  async update(
    id: string,
    definition: PreparedQueryDefinition,
    options: WriteOptions = {},
  ): Promise<void> {
    await this.transport.send({
      method: 'PUT',
      path: `/v1/query/${encodeSegment(id, 'id')}`,
      json: preparedQueryToWire(definition),
      options,
      idempotent: true,
    });
  }

  /** Every stored query. */
  async list(options: QueryOptions = {}): Promise<WithMeta<PreparedQueryEntry[]>> {
    return readJson(
      this.transport,
      { path: '/v1/query', map: (w: QueryWire[] | null) => mapList(w, queryFromWire) },
      options,
    );
  }

  /** One stored query; `undefined` when unknown. */
  async get(id: string, options: QueryOptions = {}): Promise<PreparedQueryEntry | undefined> {
    const res = await this.transport.send({
      method: 'GET',
      path: `/v1/query/${encodeSegment(id, 'id')}`,
      options,
      allowStatus: [404],
    });
    options.onMeta?.(res.meta);
    if (res.status === 404) return undefined;
    return decodeConsulJson(res, (wire: QueryWire[] | null) => {
      const [w] = wire ?? [];
      return w ? queryFromWire(w) : undefined;
    });
  }

  /** Deletes a query. */
  async delete(id: string, options: WriteOptions = {}): Promise<void> {
    await this.transport.send({
      method: 'DELETE',
      path: `/v1/query/${encodeSegment(id, 'id')}`,
      options,
      idempotent: true,
    });
  }
}
