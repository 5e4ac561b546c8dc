import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/** A request a {@link Backend} received. */
export interface Received {
  method: string;
  url: string;
  /** `Consul Health Check` for the agent's HTTP checks. */
  userAgent: string;
}

/** A small real HTTP server on 127.0.0.1 standing in for an instance of another service. */
export interface Backend {
  port: number;
  /** Every request it got, in order. */
  received: Received[];
  close(): Promise<void>;
}

/**
 * Starts a {@link Backend} on a random loopback port answering every request with
 * `answer(request)` as JSON: register it in Consul, point a check at it, and see which requests
 * reached it.
 *
 * @example
 * const backend = await startBackend((req) => ({ instance: 'a', path: req.url }));
 * consul.register({ name: 'origin', address: '127.0.0.1', port: backend.port });
 */
export async function startBackend(answer: (req: Received) => unknown): Promise<Backend> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const request = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      userAgent: req.headers['user-agent'] ?? '',
    };
    received.push(request);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(answer(request)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
