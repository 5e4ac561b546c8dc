import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/** An answer of the service under test, read in full. */
export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Real HTTP to `base + path`; the body parsed as JSON. */
export async function call<T = Record<string, unknown>>(
  base: string,
  path: string,
  method = 'GET',
): Promise<Reply<T>> {
  const res = await fetch(`${base}${path}`, { method });
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

/** A request a {@link Backend} received. */
export interface Received {
  method: string;
  url: string;
  /** `Consul Health Check` for the agent's HTTP checks. */
  userAgent: string;
}

/** A small real HTTP server on 127.0.0.1 standing in for another service of the fleet. */
export interface Backend {
  port: number;
  /** Every request it got, in order. */
  received: Received[];
  close(): Promise<void>;
}

/** Starts a {@link Backend} answering every request with `answer(request)` as JSON. */
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
