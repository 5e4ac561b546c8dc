import { type AgentProcess } from './agent-process';
import { consulVersion, ensureConsulBinary } from './binary';
import { ConsulStartError } from './errors';
import { type HarnessLogger } from './log';
import { cleanStaleAgents } from './reaper';

/** The binary agents are started with. */
export interface ResolvedBinary {
  path: string;
  version: string;
}

let staleCleaned = false;

/**
 * Once per process, kills agents left behind by dead runs; then returns `binary` (when given) or
 * the one {@link ensureConsulBinary} finds.
 */
export async function prepareBinary(
  binary: string | undefined,
  logger: HarnessLogger,
): Promise<ResolvedBinary> {
  if (!staleCleaned) {
    staleCleaned = true;
    const killed = cleanStaleAgents();
    if (killed.length > 0) logger(`killed stale consul agents of a dead run: ${killed.join(', ')}`);
  }
  if (binary) return { path: binary, version: await consulVersion(binary) };
  return ensureConsulBinary({ logger });
}

/** One start attempt: the processes to spawn and how to tell they are ready. */
export interface LaunchPlan<T> {
  processes: readonly AgentProcess[];
  ready(): Promise<T>;
}

const ATTEMPTS = 3;

/**
 * Spawns the processes of `plan()` and waits for `ready()`. When a port was taken between picking
 * and binding it, asks `plan()` again (fresh ports). Otherwise a failure kills the processes, removes
 * their folders and throws a {@link ConsulStartError} carrying their output.
 */
export async function launchAgents<T>(
  label: string,
  logger: HarnessLogger,
  plan: () => Promise<LaunchPlan<T>>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const { processes, ready } = await plan();
    try {
      for (const proc of processes) {
        proc.reportUnexpectedExit = false; // a failed start is reported (or retried) below
        proc.start();
      }
      const result = await ready();
      for (const proc of processes) proc.reportUnexpectedExit = true;
      return result;
    } catch (err) {
      const output = processes.map((p) => `--- ${p.name} ---\n${p.log.text()}`).join('\n');
      await Promise.all(processes.map((p) => p.terminate('SIGKILL')));
      if (attempt < ATTEMPTS && /address already in use/i.test(output)) {
        logger(`${label}: a port was taken meanwhile; retrying on new ports`);
        continue;
      }
      await Promise.all(processes.map((p) => p.dispose()));
      const reason = err instanceof Error ? err.message : String(err);
      throw new ConsulStartError(`${label} did not become ready: ${reason}\n${output}`, {
        cause: err,
      });
    }
  }
}
