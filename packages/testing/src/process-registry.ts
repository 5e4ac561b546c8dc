import { readFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What the harness records about each agent it starts, so a later run can clean up after a crash. */
export interface AgentRecord {
  pid: number;
  ownerPid: number;
  binary: string;
  dataDir: string;
  startedAt: string;
}

/** Folder of PID records. Default: `<tmpdir>/consulkit-agents`, or `CONSULKIT_STATE_DIR`. */
export function registryDir(): string {
  return process.env.CONSULKIT_STATE_DIR ?? path.join(tmpdir(), 'consulkit-agents');
}

export function recordAgent(record: AgentRecord): void {
  mkdirSync(registryDir(), { recursive: true });
  writeFileSync(path.join(registryDir(), `${record.pid}.json`), JSON.stringify(record));
}

export function forgetAgent(pid: number): void {
  rmSync(path.join(registryDir(), `${pid}.json`), { force: true });
}

export function listRecords(): AgentRecord[] {
  let files: string[];
  try {
    files = readdirSync(registryDir());
  } catch {
    return [];
  }
  const records: AgentRecord[] = [];
  for (const file of files) {
    if (!file.endsWith('.json')) continue;
    try {
      records.push(JSON.parse(readFileSync(path.join(registryDir(), file), 'utf8')) as AgentRecord);
    } catch {
      rmSync(path.join(registryDir(), file), { force: true });
    }
  }
  return records;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True only when `pid` is still the consul agent we recorded (guards against PID reuse). */
export function isOurAgent(record: AgentRecord): boolean {
  if (!isAlive(record.pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').split('\0');
    return cmdline[0] === record.binary && cmdline.includes('agent');
  } catch {
    // No /proc (macOS): fall back to the PID alone; records are removed on every clean stop.
    return process.platform !== 'linux';
  }
}

/**
 * Kills agents recorded by harness processes that are gone (a test run killed mid-way) and removes
 * their records and data folders. Agents owned by live processes are left alone. Returns the PIDs killed.
 */
export function cleanStaleAgents(): number[] {
  const killed: number[] = [];
  for (const record of listRecords()) {
    if (isAlive(record.ownerPid) && record.ownerPid !== process.pid) continue;
    if (record.ownerPid === process.pid) continue;
    if (isOurAgent(record)) {
      try {
        process.kill(record.pid, 'SIGKILL');
        killed.push(record.pid);
      } catch {
        // already gone
      }
    }
    rmSync(record.dataDir, { recursive: true, force: true });
    forgetAgent(record.pid);
  }
  return killed;
}
