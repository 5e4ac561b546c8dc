import { type AddressInfo } from 'node:net';
import { Consul, silentLogger } from '@consulkit/core';
import { clientFactory, useConsulAgent } from '@consulkit/testing';
import { type INestApplication, type LoggerService, type ModuleMetadata } from '@nestjs/common';
import { type AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';

// The generic helpers, for the tests' convenience: they live in @consulkit/testing.
export { uniqueName, waitFor } from '@consulkit/testing';

/** A real agent for the test file, and clients on it (silent logger) closed after the file. */
export const useAgent = () => useConsulAgent({}, clientFactory(Consul, { logger: silentLogger }));

/** The two HTTP platforms every lifecycle test runs on. */
export const PLATFORMS: Array<[string, () => AbstractHttpAdapter]> = [
  ['express', () => new ExpressAdapter()],
  ['fastify', () => new FastifyAdapter()],
];

/** One captured log line. */
export interface LogLine {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: string;
  context: string | undefined;
}

/** Every log line Nest wrote during the current test (reset by {@link closeApps}). */
export const logs: LogLine[] = [];

function capture(level: LogLine['level']) {
  return (message: unknown, ...rest: unknown[]) => {
    const context =
      rest.length > 0 && typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    logs.push({ level, message: String(message), context });
  };
}

/** A Nest logger collecting into {@link logs}. */
export const collectingLogger: LoggerService = {
  log: capture('log'),
  error: capture('error'),
  warn: capture('warn'),
  debug: capture('debug'),
  verbose: capture('verbose'),
  fatal: capture('fatal'),
};

const apps = new Set<INestApplication>();

/**
 * Compiles a testing module with `metadata` and creates an app on the platform (not initialised).
 * Closed by {@link closeApps}.
 */
export async function createApp(
  metadata: ModuleMetadata,
  adapter: () => AbstractHttpAdapter,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = moduleRef.createNestApplication(adapter(), { logger: collectingLogger });
  apps.add(app);
  return app;
}

/** Creates, then listens on a random loopback port. */
export async function startApp(
  metadata: ModuleMetadata,
  adapter: () => AbstractHttpAdapter,
): Promise<INestApplication> {
  const app = await createApp(metadata, adapter);
  await app.listen(0, '127.0.0.1');
  return app;
}

/** Closes an app made by {@link createApp} now. */
export async function closeApp(app: INestApplication): Promise<void> {
  apps.delete(app);
  await app.close();
}

/** Closes every app made by {@link createApp} (call in `afterEach`) and clears the logs. */
export async function closeApps(): Promise<void> {
  const list = [...apps];
  apps.clear();
  await Promise.allSettled(list.map((a) => a.close()));
  logs.length = 0;
}

/** Port the app listens on. */
export function boundPort(app: INestApplication): number {
  const address = (app.getHttpServer() as { address(): AddressInfo | string | null }).address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  return address.port;
}
