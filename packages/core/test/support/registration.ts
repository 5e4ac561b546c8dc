import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

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
