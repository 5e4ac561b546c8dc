import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

/** A real gRPC server on 127.0.0.1 answering `grpc.health.v1.Health` with statuses the test sets. */
export interface GrpcHealthServer {
  readonly port: number;
  /** Status answered for `service` (`''`, the default, is the whole server's). */
  setStatus(status: ServingStatus, service?: string): void;
  close(): void;
}

/** Certificate chain and key (PEM) of a TLS server. */
export interface GrpcServerTls {
  cert: Buffer;
  key: Buffer;
}

const open = new Set<GrpcHealthServer>();

/**
 * Starts a gRPC server on 127.0.0.1:0 serving only the standard health service, `SERVING` for the
 * whole server (`''`) and for each name in `services`, over TLS when `tls` is given.
 */
export async function startGrpcHealthServer(
  options: { tls?: GrpcServerTls; services?: readonly string[] } = {},
): Promise<GrpcHealthServer> {
  const statuses: Record<string, ServingStatus> = { '': 'SERVING' };
  for (const name of options.services ?? []) statuses[name] = 'SERVING';
  const health = new HealthImplementation(statuses);
  const server = new Server();
  health.addToServer(server);
  const credentials = options.tls
    ? ServerCredentials.createSsl(
        null,
        [{ cert_chain: options.tls.cert, private_key: options.tls.key }],
        false,
      )
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  const handle: GrpcHealthServer = {
    port,
    setStatus: (status, service = '') => health.setStatus(service, status),
    close: () => {
      open.delete(handle);
      // Not tryShutdown: it waits for the agent's probe connections, which it may hold open.
      server.forceShutdown();
    },
  };
  open.add(handle);
  return handle;
}

/** Stops every gRPC server {@link startGrpcHealthServer} started. */
export function closeGrpcServers(): void {
  for (const server of [...open]) server.close();
}
