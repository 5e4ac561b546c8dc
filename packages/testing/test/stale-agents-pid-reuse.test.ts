import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanStaleAgents } from '../src';
import { isAlive } from '../src/proc-info';
import { listRecords, recordAgent } from '../src/process-registry';

/**
 * Testing README, "Stale agents": `cleanStaleAgents()` kills an orphaned agent only "after checking
 * that the PID still runs the recorded binary" — a PID the system gave to another program since is
 * left alone.
 */
describe('cleanStaleAgents() and reused PIDs', () => {
  const children: ChildProcess[] = [];
  let stateDir: string;

  beforeEach(() => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'consulkit-state-reuse-'));
  });

  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('never kills a recorded PID that now runs another program, and forgets the record', async () => {
    // The recorded owner has exited: the record is stale.
    const owner = spawn(process.execPath, ['-e', '']);
    await once(owner, 'exit');
    // The recorded PID runs something that is not the recorded consul binary.
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    children.push(other);
    recordAgent(
      {
        pid: other.pid as number,
        ownerPid: owner.pid as number,
        runPid: owner.pid as number,
        binary: '/opt/consul/bin/consul',
        dataDir: mkdtempSync(path.join(tmpdir(), 'consulkit-reuse-data-')),
        startedAt: new Date().toISOString(),
      },
      stateDir,
    );
    expect(cleanStaleAgents({ stateDir })).toEqual([]);
    expect(isAlive(other.pid as number)).toBe(true);
    expect(listRecords(stateDir)).toEqual([]);
  });
});
