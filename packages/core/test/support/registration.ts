import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { type Consul, type HealthStatus } from '../../src';

/** A real HTTP server on 127.0.0.1 whose `/health` answers `status` (200 by default). */
export interface HealthServer {
  readonly port: number;
  status: number;
  close(): Promise<void>;
}

const open = new Set<{ close(): Promise<void> }>();

/** Starts an HTTP server on 127.0.0.1:0 (closed by {@link closeAll}). */
export async function startHealthServer(): Promise<HealthServer> {
  const server: Server = createHttpServer((req, res) => {
    res.writeHead(req.url === '/health' ? handle.status : 404, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const handle: HealthServer = {
    port: (server.address() as AddressInfo).port,
    status: 200,
    close: () =>
      new Promise<void>((resolve) => {
        open.delete(handle);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  open.add(handle);
  return handle;
}

/** Starts a TCP server on 127.0.0.1:0 that accepts and closes connections. */
export async function startTcpServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const handle = {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        open.delete(handle);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  open.add(handle);
  return handle;
}

/** Closes every server the helpers started. */
export async function closeAll(): Promise<void> {
  await Promise.all([...open].map((s) => s.close()));
}

/** IDs of the instances of `name` in `/v1/health/service/:name?passing`. */
export async function passingIds(consul: Consul, name: string): Promise<string[]> {
  const entries = await consul.health.service(name, { passing: true });
  return entries.map((e) => e.service.id).sort();
}

/** The status of check `checkId` as `/v1/health/service/:name` reports it (undefined if absent). */
export async function checkStatus(
  consul: Consul,
  name: string,
  checkId: string,
): Promise<HealthStatus | undefined> {
  const entries = await consul.health.service(name);
  for (const entry of entries) {
    const check = entry.checks.find((c) => c.checkId === checkId);
    if (check) return check.status;
  }
  return undefined;
}

/** Resolves with `'settled'` when `promise` settles, `'pending'` after `ms`: proves "no hang". */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    promise.then(
      () => 'settled',
      () => 'settled',
    ),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('pending'), ms);
    }),
  ]);
  clearTimeout(timer);
  return outcome;
}
