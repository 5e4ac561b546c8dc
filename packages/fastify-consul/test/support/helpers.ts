import { Writable } from 'node:stream';
import { clientFactory, useConsulAgent } from '@consulkit/testing';
import { Consul, silentLogger } from '@consulkit/core';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';

// The generic helpers, for the tests' convenience: they live in @consulkit/testing.
export { uniqueName, waitFor } from '@consulkit/testing';

/** A real agent for the test file, and clients on it (silent logger) closed after the file. */
export const useAgent = () => useConsulAgent({}, clientFactory(Consul, { logger: silentLogger }));

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

/** Port the app listens on. */
export function boundPort(app: FastifyInstance): number {
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  return address.port;
}
