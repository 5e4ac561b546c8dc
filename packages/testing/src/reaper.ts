import { rmSync } from 'node:fs';
import { commandLine, isAlive, isDescendantOf } from './proc-info';
import { forgetAgent, listRecords, registryDir, type AgentRecord } from './process-registry';

/** Where the agent records are read; default {@link registryDir} (`CONSULKIT_STATE_DIR`). */
export interface ReaperOptions {
  stateDir?: string;
}

/** True only while `record.pid` is still the consul agent we recorded (guards against PID reuse). */
export function isRecordedAgentRunning(record: AgentRecord): boolean {
  if (!isAlive(record.pid)) return false;
  const argv = commandLine(record.pid);
  // No /proc (macOS): trust the PID alone; records are removed on every clean stop.
  if (argv === undefined) return process.platform !== 'linux';
  return argv[0] === record.binary && argv.includes('agent');
}

/** Kills a recorded agent (by its recorded PID only) and removes its record and data folder. */
function reap(record: AgentRecord, dir: string): boolean {
  let killed = false;
  if (isRecordedAgentRunning(record)) {
    try {
      process.kill(record.pid, 'SIGKILL');
      killed = true;
    } catch {
      // exited meanwhile
    }
  }
  rmSync(record.dataDir, { recursive: true, force: true });
  forgetAgent(record.pid, dir);
  return killed;
}

/**
 * Kills agents whose owner process is gone (a test run killed mid-way) and removes their records and
 * data folders. Agents of live owners, this process included, are left alone. Returns the PIDs killed.
 */
export function cleanStaleAgents(options: ReaperOptions = {}): number[] {
  const dir = options.stateDir ?? registryDir();
  const killed: number[] = [];
  for (const record of listRecords(dir)) {
    if (record.ownerPid === process.pid || isAlive(record.ownerPid)) continue;
    if (reap(record, dir)) killed.push(record.pid);
  }
  return killed;
}

/**
 * True when an agent belongs to the test run rooted at `rootPid`: started by that process, recorded
 * with it as run root (its workers inherit `CONSULKIT_RUN_PID`), or owned by a live descendant of it.
 */
export function belongsToRun(record: AgentRecord, rootPid: number): boolean {
  if (record.ownerPid === rootPid || record.runPid === rootPid) return true;
  return isAlive(record.ownerPid) && isDescendantOf(record.ownerPid, rootPid);
}

/**
 * Kills the agents of the run rooted at `rootPid` that are still running and returns their records.
 * Agents of other runs (another jest process on the same machine) are never touched.
 */
export function reapLeakedAgents(rootPid: number, options: ReaperOptions = {}): AgentRecord[] {
  const dir = options.stateDir ?? registryDir();
  const leaked: AgentRecord[] = [];
  for (const record of listRecords(dir)) {
    if (!belongsToRun(record, rootPid)) continue;
    if (isRecordedAgentRunning(record)) leaked.push(record);
    reap(record, dir);
  }
  return leaked;
}
