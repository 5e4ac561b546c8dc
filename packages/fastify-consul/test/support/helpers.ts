import { Writable } from 'node:stream';
import { startConsul, type ConsulAgent, freePorts } from '@consulkit/testing';
import { Consul, type ConsulOptions, silentLogger } from '@consulkit/core';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';

/** A real Consul agent for one test file; clients made through it are closed after the file. */
export interface AgentFixture {
  readonly agent: ConsulAgent;
  /** A client on the agent for assertions (silent logger), closed in afterAll. */
  client(options?: ConsulOptions): Consul;
}

/** Starts a real agent in `beforeAll`, stops it (and the fixture's clients) in `afterAll`. */
export function useAgent(): AgentFixture {
  let agent: ConsulAgent | undefined;
  const clients: Consul[] = [];
  beforeAll(async () => {
    agent = await startConsul();
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await agent?.stop();
  }, 60_000);
  return {
    get agent() {
      if (!agent) throw new Error('agent not started yet');
      return agent;
    },
    client(options: ConsulOptions = {}) {
      const client = new Consul({ address: this.agent.address, logger: silentLogger, ...options });
      clients.push(client);
      return client;
    },
  };
}

/** One JSON log line of pino. */
export interface LogLine {
  level: number;
  msg: string;
  err?: { type: string; message: string; code?: string; option?: string };
  [key: string]: unknown;
}

/** Fastify apps made by {@link makeApp}, closed after each test. */
const apps = new Set<FastifyInstance>();

/** A Fastify app whose log lines are collected in `logs` (level `debug`). */
export function makeApp(options: FastifyServerOptions = {}): {
  app: FastifyInstance;
  logs: LogLine[];
} {
  const logs: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  const app = Fastify({ logger: { level: 'debug', stream }, ...options });
  apps.add(app);
  return { app, logs };
}

/** Closes every app made by {@link makeApp} (call in `afterEach`). */
export async function closeApps(): Promise<void> {
  const list = [...apps];
  apps.clear();
  await Promise.allSettled(list.map((a) => a.close()));
}

/** Polls `probe` until `accept` holds; fails after `timeoutMs` with the last value seen. */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > until) {
      const detail = lastError ? ` (last error: ${String(lastError)})` : '';
      throw new Error(
        `condition not met within ${timeoutMs} ms; last value ${JSON.stringify(last)}${detail}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A loopback address where nothing listens: an unreachable Consul agent. */
export async function deadAddress(): Promise<string> {
  const [port] = await freePorts(1);
  return `http://127.0.0.1:${port}`;
}

let counter = 0;
/** A service name unique within the run. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Port the app listens on. */
export function boundPort(app: FastifyInstance): number {
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  return address.port;
}
