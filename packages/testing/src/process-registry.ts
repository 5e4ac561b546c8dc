import { readFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Environment variable naming the PID of the process a test run belongs to (jest's main process). */
export const RUN_PID_ENV = 'CONSULKIT_RUN_PID';

/** What the harness records about each agent it starts, so a later run can clean up after a crash. */
export interface AgentRecord {
  /** PID of the `consul agent` process. */
  pid: number;
  /** PID of the process that started it (a jest worker, a script). */
  ownerPid: number;
  /** PID of the test run's root process (`CONSULKIT_RUN_PID`, set by the jest global setup), else `ownerPid`. */
  runPid: number;
  /** Path the agent was spawned with; checked against `/proc/<pid>/cmdline` before a kill. */
  binary: string;
  dataDir: string;
  startedAt: string;
}

/** Folder of PID records. Default: `<tmpdir>/consulkit-agents`, or `CONSULKIT_STATE_DIR`. */
export function registryDir(): string {
  return process.env.CONSULKIT_STATE_DIR ?? path.join(tmpdir(), 'consulkit-agents');
}

/** The run this process belongs to: `CONSULKIT_RUN_PID` when a parent set it, else this process. */
export function currentRunPid(): number {
  const fromEnv = Number(process.env[RUN_PID_ENV]);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : process.pid;
}

/** Writes the record of a freshly spawned agent. */
export function recordAgent(record: AgentRecord, dir = registryDir()): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${record.pid}.json`), JSON.stringify(record));
}

/** Removes the record of an agent that exited. */
export function forgetAgent(pid: number, dir = registryDir()): void {
  rmSync(path.join(dir, `${pid}.json`), { force: true });
}

/** Every record in `dir`; unreadable records are dropped. */
export function listRecords(dir = registryDir()): AgentRecord[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  const records: AgentRecord[] = [];
  for (const file of files) {
    if (!file.endsWith('.json')) continue;
    try {
      records.push(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as AgentRecord);
    } catch {
      rmSync(path.join(dir, file), { force: true });
    }
  }
  return records;
}
