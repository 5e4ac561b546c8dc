/**
 * What the edge reads from its environment. The Consul connection itself (`CONSUL_HTTP_ADDR`,
 * `CONSUL_HTTP_TOKEN`, `CONSUL_HTTP_TOKEN_FILE`, `CONSUL_CACERT`...) is read by `@consulkit/core`.
 */
export interface EdgeEnv {
  /** `SERVICE_NAME`, default `edge`. */
  serviceName: string;
  /** `SERVICE_ID`: a fixed instance ID (a restarted instance replaces its old registration). */
  serviceId: string | undefined;
  /** `HOST`, default `127.0.0.1`. */
  host: string;
  /** `PORT`, default `0` (any free port; the bound one is registered). */
  port: number;
  /** `CHECK_INTERVAL`: how often Consul polls `/health`, default `5s`. */
  checkInterval: string;
  /** `DRAIN`: time in maintenance before deregistering on shutdown, default `2s`. */
  drain: string;
  /** `LOG_LEVEL`: `error`, `warn`, `info` (default), `debug` or `verbose`. */
  logLevel: string;
  /** `PURGE_INTERVAL_MS`: how often the purge job ticks (only the leader runs it), default 1000. */
  purgeIntervalMs: number;
}

/** Injection token of the {@link EdgeEnv}. */
export const EDGE_ENV = Symbol('EDGE_ENV');

/** Reads {@link EdgeEnv}; a malformed number fails at startup. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): EdgeEnv {
  const port = Number(env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  }
  const purgeIntervalMs = Number(env.PURGE_INTERVAL_MS ?? 1000);
  if (!Number.isInteger(purgeIntervalMs) || purgeIntervalMs < 100) {
    throw new Error(`PURGE_INTERVAL_MS must be an integer >= 100, got "${env.PURGE_INTERVAL_MS}"`);
  }
  return {
    serviceName: env.SERVICE_NAME || 'edge',
    serviceId: env.SERVICE_ID || undefined,
    host: env.HOST || '127.0.0.1',
    port,
    checkInterval: env.CHECK_INTERVAL || '5s',
    drain: env.DRAIN || '2s',
    logLevel: env.LOG_LEVEL || 'info',
    purgeIntervalMs,
  };
}
