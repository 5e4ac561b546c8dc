/**
 * What the service reads from its environment. The Consul connection itself (`CONSUL_HTTP_ADDR`,
 * `CONSUL_HTTP_TOKEN`, `CONSUL_HTTP_TOKEN_FILE`, `CONSUL_CACERT`...) is read by `@consulkit/core`.
 */
export interface ServiceEnv {
  /** `SERVICE_NAME`, default `origin`. */
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
  /** `LOG_LEVEL`, default `info`. */
  logLevel: string;
  /** `PEER_SERVICE`: the service `/edges` calls through discovery, default `edge`. */
  peerService: string;
}

/** Reads {@link ServiceEnv}; a malformed `PORT` fails at startup rather than binding elsewhere. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  const port = Number(env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  }
  return {
    serviceName: env.SERVICE_NAME || 'origin',
    serviceId: env.SERVICE_ID || undefined,
    host: env.HOST || '127.0.0.1',
    port,
    checkInterval: env.CHECK_INTERVAL || '5s',
    drain: env.DRAIN || '2s',
    logLevel: env.LOG_LEVEL || 'info',
    peerService: env.PEER_SERVICE || 'edge',
  };
}
