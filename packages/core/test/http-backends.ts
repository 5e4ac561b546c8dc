import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import diagnosticsChannel from 'node:diagnostics_channel';

/** How a test backend answers. */
export interface BackendBehaviour {
  status: number;
  delayMs: number;
}

/** A real HTTP server on 127.0.0.1 that counts hits and can be stopped and restarted on its port. */
export interface Backend {
  readonly name: string;
  readonly port: number;
  hits: number;
  /** Requests seen, as `METHOD path host`. */
  readonly seen: string[];
  behaviour: BackendBehaviour;
  /** Stops listening and destroys open connections (a crash, as seen by clients). */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

const servers = new Set<Server>();
const pending = new Set<NodeJS.Timeout>();

/** Starts a backend answering `name` as the body. */
export async function startBackend(name: string): Promise<Backend> {
  const seen: string[] = [];
  let server: Server | undefined;
  const backend: Backend = {
    name,
    port: 0,
    hits: 0,
    seen,
    behaviour: { status: 200, delayMs: 0 },
    async kill() {
      if (!server) return;
      const s = server;
      server = undefined;
      servers.delete(s);
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeAllConnections();
      await closed;
    },
    async restart() {
      server = await listen(handler, backend.port);
    },
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    backend.hits += 1;
    seen.push(`${req.method} ${req.url} ${req.headers.host}`);
    const { status, delayMs } = backend.behaviour;
    const answer = () => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(name);
    };
    req.resume();
    req.on('end', () => {
      if (delayMs === 0) return answer();
      const timer = setTimeout(() => {
        pending.delete(timer);
        answer();
      }, delayMs);
      pending.add(timer);
    });
  };
  server = await listen(handler, 0);
  (backend as { port: number }).port = (server.address() as AddressInfo).port;
  return backend;
}

function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  port: number,
): Promise<Server> {
  const server = createServer(handler);
  // Short keep-alive so sockets do not outlive the test (undici's writing-tests advice).
  server.keepAliveTimeout = 2_000;
  servers.add(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Closes every backend still running. */
export async function stopAllBackends(): Promise<void> {
  for (const timer of pending) clearTimeout(timer);
  pending.clear();
  const all = [...servers];
  servers.clear();
  await Promise.all(
    all.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        }),
    ),
  );
}

/** A loopback port with nothing listening (connections are refused). */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Collects the messages published on a diagnostics channel until `stop()`. */
export function record<T>(channel: string): { messages: T[]; stop(): void } {
  const messages: T[] = [];
  const listener = (message: unknown) => messages.push(message as T);
  diagnosticsChannel.subscribe(channel, listener);
  return { messages, stop: () => diagnosticsChannel.unsubscribe(channel, listener) };
}

/** Polls `check` every 20 ms until it is true, failing after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
