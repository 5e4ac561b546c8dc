import 'reflect-metadata';
import { type ConsulOptions } from '@consulkit/core';
import { type INestApplication, type LoggerService, type LogLevel, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { type EdgeEnv } from './env';

/** What `main.ts` leaves to its defaults, and a test or an embedding program may set. */
export interface EdgeOptions {
  /**
   * Options of the Consul client. Default `{}`: address, token and TLS come from
   * `CONSUL_HTTP_ADDR`, `CONSUL_HTTP_TOKEN`, `CONSUL_CACERT`...
   */
  consul?: ConsulOptions;
  /** Nest's logger. Default: Nest's console logger at the levels up to `env.logLevel`. */
  logger?: LoggerService;
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's levels up to `level` (`info` is Nest's `log`). */
function logLevels(level: string): LogLevel[] {
  const index = LEVELS.indexOf((level === 'info' ? 'log' : level) as LogLevel);
  return LEVELS.slice(0, index === -1 ? 4 : index + 1);
}

/**
 * Creates the edge and listens on `env.host:env.port`: what `npm start` runs (`main.ts`), callable
 * from a test with the agent's address in `options.consul`. Resolves once the server listens; the
 * module then registers the port really bound. Close the returned app to drain, deregister and give
 * the purge leadership up.
 */
export async function start(env: EdgeEnv, options: EdgeOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forEnv(env, options.consul), {
    logger: options.logger ?? logLevels(env.logLevel),
  });
  // SIGTERM / Ctrl-C: maintenance on, drain, deregister, release the purge leadership, close.
  app.enableShutdownHooks();
  try {
    await app.listen(env.port, env.host);
  } catch (err) {
    // The Consul client, config watches and the election are open: do not leave them behind.
    await app.close();
    throw err;
  }
  new Logger('Edge').log(`listening on ${await app.getUrl()}`);
  return app;
}
