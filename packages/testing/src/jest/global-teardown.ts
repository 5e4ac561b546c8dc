import { reapLeakedAgents } from '../reaper';

/**
 * Jest global teardown: every agent this run started must have been stopped. Agents of this run
 * (started by this process, its workers or their children) that still run are killed by their
 * recorded PID and reported, and the run fails so the leaking test gets fixed. Agents of any other
 * process, such as a concurrent jest run, are left alone.
 */
export default async function globalTeardown(): Promise<void> {
  const leaked = reapLeakedAgents(process.pid);
  if (leaked.length > 0) {
    const list = leaked.map((r) => `${r.pid} (started by pid ${r.ownerPid})`).join(', ');
    throw new Error(`consul agents left running after the tests (killed now): ${list}`);
  }
}
