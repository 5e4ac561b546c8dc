import { isOurAgent, listRecords } from '../process-registry';

/**
 * Jest global teardown: every agent a test started must have been stopped. Any that is still
 * running is killed and reported, and the run fails so the leaking test gets fixed.
 */
export default async function globalTeardown(): Promise<void> {
  const leaked = listRecords().filter((r) => isOurAgent(r));
  for (const record of leaked) {
    try {
      process.kill(record.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  if (leaked.length > 0) {
    throw new Error(
      `consul agents left running after the tests (killed now): ${leaked.map((r) => r.pid).join(', ')}`,
    );
  }
}
