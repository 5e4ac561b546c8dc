import { buildApp } from './app';
import { readEnv } from './env';

async function main(): Promise<void> {
  const env = readEnv();
  const app = await buildApp(env);
  // The plugin registers the instance once the server really listens, with the bound port.
  await app.listen({ host: env.host, port: env.port });
}

main().catch((err: unknown) => {
  console.error('origin failed to start:', err);
  process.exitCode = 1;
});
