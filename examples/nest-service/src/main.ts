import 'reflect-metadata';
import { type LogLevel, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { readEnv } from './env';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's levels up to `level` (`info` is Nest's `log`). */
function logLevels(level: string): LogLevel[] {
  const index = LEVELS.indexOf((level === 'info' ? 'log' : level) as LogLevel);
  return LEVELS.slice(0, index === -1 ? 4 : index + 1);
}

async function main(): Promise<void> {
  const env = readEnv();
  const app = await NestFactory.create(AppModule.forEnv(env), { logger: logLevels(env.logLevel) });
  // SIGTERM / Ctrl-C: maintenance on, drain, deregister, release the purge leadership, close.
  app.enableShutdownHooks();
  // The module registers the instance once the server really listens, with the bound port.
  await app.listen(env.port, env.host);
  new Logger('Edge').log(`listening on ${await app.getUrl()}`);
}

main().catch((err: unknown) => {
  console.error('edge failed to start:', err);
  process.exitCode = 1;
});
