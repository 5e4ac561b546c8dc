import { ensureConsulBinary } from '../binary';
import { RUN_PID_ENV } from '../process-registry';
import { cleanStaleAgents } from '../reaper';

/**
 * Jest global setup: kills agents left behind by an earlier run that was killed, obtains the Consul
 * binary once (workers inherit `CONSUL_BIN`) and marks this process as the run's root
 * (`CONSULKIT_RUN_PID`, inherited by the workers), so the teardown can tell this run's agents from
 * those of another jest process. A missing binary fails the run; it never skips.
 */
export default async function globalSetup(): Promise<void> {
  process.env[RUN_PID_ENV] = String(process.pid);
  const killed = cleanStaleAgents();
  if (killed.length > 0) {
    process.stderr.write(`[consulkit] killed stale consul agents: ${killed.join(', ')}\n`);
  }
  const binary = await ensureConsulBinary();
  process.env.CONSUL_BIN = binary.path;
}
