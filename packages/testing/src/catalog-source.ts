import { readFileSync } from 'node:fs';
import { type TlsFiles } from './agent-args';
import { probe } from './http-probe';

/**
 * An agent the catalog helpers read over its HTTP API: a `ConsulAgent`, a cluster, or a member of
 * one. `token` and `ca` are used when present (ACL and TLS agents).
 */
export interface AgentEndpoint {
  /** Base URL of the HTTP API, `http://127.0.0.1:<port>` or `https://...`. */
  readonly address: string;
  /** ACL token sent as `X-Consul-Token`. */
  readonly token?: string | undefined;
  /** CA certificate PEM to trust for an `https://` address. */
  readonly ca?: string | undefined;
  /** Paths of the client certificate and key, presented to an agent that verifies incoming HTTPS. */
  readonly tlsFiles?: Pick<TlsFiles, 'clientCert' | 'clientKey'> | undefined;
}

/** One instance of `GET /v1/health/service/:name`, as much of it as the helpers read. */
export interface ServiceHealthEntry {
  readonly service: { readonly id: string; readonly port: number };
  readonly checks: ReadonlyArray<{ readonly checkId: string; readonly status: string }>;
}

/** One instance of `GET /v1/catalog/service/:name`, as much of it as the helpers read. */
export interface CatalogServiceEntry {
  readonly serviceId: string;
}

/**
 * A client that reads service health the way `Consul` of `@consulkit/core` does
 * (`consul.health.service(name, { passing })`): the helpers then query through it, with its token
 * and options.
 */
export interface HealthClient {
  readonly health: {
    service(name: string, options?: { passing?: boolean }): Promise<readonly ServiceHealthEntry[]>;
  };
}

/** A client that reads the catalog the way `Consul` of `@consulkit/core` does. */
export interface CatalogClient {
  readonly catalog: {
    service(name: string): Promise<readonly CatalogServiceEntry[]>;
  };
}

/** Where a health helper reads: a client ({@link HealthClient}) or an agent ({@link AgentEndpoint}). */
export type HealthSource = HealthClient | AgentEndpoint;

/** Where a catalog helper reads: a client ({@link CatalogClient}) or an agent ({@link AgentEndpoint}). */
export type CatalogSource = CatalogClient | AgentEndpoint;

interface HealthWire {
  Service: { ID: string; Port: number };
  Checks: Array<{ CheckID: string; Status: string }>;
}

/** `GET /v1/health/service/:name` (only passing instances with `passing`) through `source`. */
export async function serviceHealth(
  source: HealthSource,
  name: string,
  passing: boolean,
): Promise<readonly ServiceHealthEntry[]> {
  if ('health' in source) {
    return passing ? source.health.service(name, { passing }) : source.health.service(name);
  }
  const query = passing ? '?passing' : '';
  const entries = await getJson<HealthWire[]>(
    source,
    `/v1/health/service/${encodeURIComponent(name)}${query}`,
  );
  return entries.map((e) => ({
    service: { id: e.Service.ID, port: e.Service.Port },
    checks: e.Checks.map((c) => ({ checkId: c.CheckID, status: c.Status })),
  }));
}

/** `GET /v1/catalog/service/:name` through `source`. */
export async function catalogService(
  source: CatalogSource,
  name: string,
): Promise<readonly CatalogServiceEntry[]> {
  if ('catalog' in source) return source.catalog.service(name);
  const entries = await getJson<Array<{ ServiceID: string }>>(
    source,
    `/v1/catalog/service/${encodeURIComponent(name)}`,
  );
  return entries.map((e) => ({ serviceId: e.ServiceID }));
}

async function getJson<T>(agent: AgentEndpoint, path: string): Promise<T> {
  const res = await probe(`${agent.address}${path}`, {
    ca: agent.ca,
    ...clientPems(agent.tlsFiles),
    token: agent.token,
    timeoutMs: 10_000,
  });
  if (res.status !== 200) {
    throw new Error(`GET ${path} answered HTTP ${res.status}: ${res.body.trim()}`);
  }
  return JSON.parse(res.body) as T;
}

function clientPems(files: Pick<TlsFiles, 'clientCert' | 'clientKey'> | undefined): {
  cert?: string;
  key?: string;
} {
  if (files?.clientCert === undefined || files.clientKey === undefined) return {};
  return {
    cert: readFileSync(files.clientCert, 'utf8'),
    key: readFileSync(files.clientKey, 'utf8'),
  };
}
