import { readEnv } from './env';
import { start } from './start';

async function main(): Promise<void> {
  // The plugin registers the instance once the server really listens, with the bound port.
  await start(readEnv());
}

main().catch((err: unknown) => {
  console.error('origin failed to start:', err);
  process.exitCode = 1;
});
