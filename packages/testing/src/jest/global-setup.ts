import { ensureConsulBinary } from '../binary';
import { cleanStaleAgents } from '../process-registry';

/**
 * Jest global setup: obtains the Consul binary once (workers inherit `CONSUL_BIN`) and kills agents
 * left behind by an earlier run that was killed. A missing binary fails the run; it never skips.
 */
export default async function globalSetup(): Promise<void> {
  const killed = cleanStaleAgents();
  if (killed.length > 0) {
    process.stderr.write(`[consulkit] killed stale consul agents: ${killed.join(', ')}\n`);
  }
  const binary = await ensureConsulBinary();
  process.env.CONSUL_BIN = binary.path;
}
