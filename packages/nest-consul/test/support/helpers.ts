import { execFile } from 'node:child_process';
import { type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Consul, type ConsulOptions, silentLogger } from '@consulkit/core';
import { startConsul, type ConsulAgent } from '@consulkit/testing';
import { type INestApplication, type LoggerService, type ModuleMetadata } from '@nestjs/common';
import { type AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';

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

/** Polls `probe` until `accept` holds; fails after `timeoutMs` with the last value seen. */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
  everyMs = 50,
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

let counter = 0;
/** A name unique within the run. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

const run = promisify(execFile);

/** Runs the official `consul` CLI (the binary jest's global setup found) against the agent. */
export async function consulCli(agent: ConsulAgent, ...args: string[]): Promise<string> {
  const bin = process.env.CONSUL_BIN;
  if (!bin) throw new Error('CONSUL_BIN is not set (jest global setup did not run?)');
  const [command, sub, ...rest] = args;
  const { stdout } = await run(bin, [
    command as string,
    sub as string,
    `-http-addr=${agent.address}`,
    ...rest,
  ]);
  return stdout;
}
