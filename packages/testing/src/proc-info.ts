import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

interface ProcStat {
  state: string;
  ppid: number;
}

/** `/proc/<pid>/stat` on Linux; `ps` elsewhere. Undefined when the process does not exist. */
function procStat(pid: number): ProcStat | undefined {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses; fields after its last ')' are fixed.
      const [state = '', ppid = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { state, ppid: Number(ppid) };
    } catch {
      return undefined;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'stat=,ppid=', '-p', String(pid)], {
      encoding: 'utf8',
      timeout: 5_000,
    });
    const [state = '', ppid = ''] = out.trim().split(/\s+/);
    return state ? { state: state.charAt(0), ppid: Number(ppid) } : undefined;
  } catch {
    return undefined;
  }
}

/** True while `pid` runs (a zombie, dead but not yet reaped by its parent, counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return procStat(pid)?.state !== 'Z';
}

/** True when `ancestor` is `pid` itself or one of its parents, grandparents, and so on. */
export function isDescendantOf(pid: number, ancestor: number): boolean {
  let current: number | undefined = pid;
  for (let depth = 0; current !== undefined && current > 0 && depth < 64; depth++) {
    if (current === ancestor) return true;
    if (current === 1) return false;
    current = procStat(current)?.ppid;
  }
  return false;
}

/** The argv of a running process, or undefined where it cannot be read (no `/proc`). */
export function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}
